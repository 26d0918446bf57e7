package dev.systemtables.openapi;

import dev.systemtables.http.HttpVerticle;
import dev.systemtables.ops.Probes;
import dev.systemtables.testing.Resp;
import dev.systemtables.testing.TestApp;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.SoftAssertions.assertSoftly;

@DisplayName("openapi.yaml and the router describe the same REST endpoints, and the contract is served")
class ContractRoutesTest {

  /**
   * Served by the node but not REST: the bell page, the admin console, the event-bus bridge, the docs, the
   * contract itself, the tRPC endpoint (its procedures' types are clients/trpc's, not the contract's), and the
   * OFREP catch-all that answers other methods and paths under /ofrep in OFREP's shape (its two POSTs are in the
   * contract).
   */
  static final Set<String> NOT_REST = Set.of("/", "/assets/", "/admin/", "/eventbus/", "/docs", "/docs/",
      "/docs/swagger-initializer.js", "/openapi.yaml", "/openapi.json", "/api/trpc", "/api/trpc/", "/ofrep/");

  static TestApp app;

  @BeforeAll
  static void start() {
    app = TestApp.start();
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  @Test
  @DisplayName("Every REST route is an operation of openapi.yaml, and every operation of openapi.yaml is routed")
  void routesMatchTheContract() {
    // A verticle of our own in the node's Vert.x: it builds exactly the routes the node serves.
    HttpVerticle http = new HttpVerticle(app.app().node(), new Probes(null, null));
    String deployment = app.app().vertx().deployVerticle(http).await();
    try {
      Set<String> routed = new TreeSet<>();
      collect(http.router(), "", routed);
      Set<String> documented = new TreeSet<>(ApiContract.get().operations().keySet());

      Set<String> undocumented = new TreeSet<>(routed);
      undocumented.removeAll(documented);
      Set<String> unrouted = new TreeSet<>(documented);
      unrouted.removeAll(routed);
      assertSoftly(soft -> {
        soft.assertThat(undocumented).as("routes that openapi.yaml lacks").isEmpty();
        soft.assertThat(unrouted).as("operations of openapi.yaml that no route serves").isEmpty();
        soft.assertThat(routed).as("the comparison saw the API at all").hasSizeGreaterThan(20);
      });
    } finally {
      app.app().vertx().undeploy(deployment).await();
    }
  }

  /** Adds {@code "METHOD /path/{param}"} for each route, descending into sub-routers. */
  static void collect(Router router, String prefix, Set<String> out) {
    for (Route r : router.getRoutes()) {
      String path = r.getPath();
      if (path == null) continue;                    // middleware on every path (e.g. the body handler)
      if (NOT_REST.contains(prefix + path)) continue;
      if (r.getSubRouter() != null) {
        collect(r.getSubRouter(), prefix + (path.endsWith("/") ? path.substring(0, path.length() - 1) : path), out);
        continue;
      }
      String template = ContractValidation.contractPath(prefix, path);
      if (r.methods() == null || r.methods().isEmpty()) {
        out.add("* " + template);                    // every method: the contract cannot hold that
      } else {
        for (HttpMethod m : r.methods()) out.add(m.name() + " " + template);
      }
    }
  }

  @Test
  @DisplayName("/openapi.yaml is the file as written, and /openapi.json the same document")
  void contractIsServed() {
    Resp yaml = app.get("/openapi.yaml", null);
    assertThat(yaml.status()).isEqualTo(200);
    assertThat(yaml.header("Content-Type")).startsWith("application/yaml");
    assertThat(yaml.body()).isEqualTo(ApiContract.get().yaml());

    Resp json = app.get("/openapi.json", null);
    assertThat(json.status()).isEqualTo(200);
    assertThat(json.header("Content-Type")).isEqualTo("application/json");
    JsonObject doc = json.json();
    assertThat(doc.getString("openapi")).isEqualTo("3.1.0");
    assertThat(doc).isEqualTo(ApiContract.get().document());
    assertThat(doc.getJsonObject("paths").getJsonObject("/api/v1/flags/{id}").getJsonObject("patch")
        .getString("operationId")).isEqualTo("updateFlag");
    assertThat(doc.getJsonObject("components").getJsonObject("responses").getJsonObject("Problem")
        .getJsonObject("content").containsKey("application/problem+json")).isTrue();
  }

  @Test
  @DisplayName("A string path parameter that reads as a number or JSON is still a string (1.5, -1, null)")
  void stringParametersStayStrings() {
    String t = app.token("contract-strings", "VIEWER");
    for (String key : new String[] {"1.5", "-1", "null", "true", "%22quoted%22"}) {
      Resp r = app.get("/api/v1/idempotency/" + key, t);
      assertThat(r.status()).as(key + ": " + r).isEqualTo(200);
    }
  }
}
