package dev.systemtables.cluster;

import dev.systemtables.testing.AppProcess;
import dev.systemtables.testing.Resp;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static dev.systemtables.cluster.ClusterNodes.token;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Flag changes across a two-process cluster: a change made through one node is evaluated anew on the other.
 *
 * <p>The nodes reload their flag snapshot only every hour here ({@code flags.reloadSeconds}), so a change
 * can only reach the other node by the change signal (cluster publish, or PostgreSQL NOTIFY). The wait is
 * the contract's bound (1 second): a change not evaluated by then is a broken promise, not slowness
 * (observed latencies are tens of milliseconds and are printed).
 */
@Tag("slow")
@DisplayName("Flags across the cluster: a change through one node is evaluated anew on the other")
class ClusterFlagsIT {

  private static final Duration SIGNAL_WAIT = Duration.ofSeconds(1);
  private static final String ADMIN = token(ClusterNodes.unique("admin"), "ADMIN");
  private static final String VIEWER = token("flag-viewer", "VIEWER");

  private static ClusterNodes cluster;
  private static AppProcess a;
  private static AppProcess b;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = ClusterNodes.start(2, new JsonObject().put("flags", new JsonObject().put("reloadSeconds", 3600)));
    a = cluster.node(0);
    b = cluster.node(1);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) cluster.close();
  }

  @Test
  @DisplayName("Enable, narrow, widen and delete through one node: the other node's evaluation follows each change")
  void changesThroughOneNodeAreEvaluatedOnTheOther() throws Exception {
    String name = "cluster-rollout";
    Resp created = a.post("/api/v1/flags", ADMIN, new JsonObject().put("name", name).put("enabled", false)
        .put("rolloutPercentage", 100).encode());
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    String id = created.data().getString("id");
    assertThat(enabledOn(b, name)).isFalse();

    change(a, "PATCH", "/api/v1/flags/" + id, new JsonObject().put("enabled", true));
    awaitEvaluation(b, name, true, "enabled through A");
    assertThat(b.get("/api/v1/flags/enabled", VIEWER).data().getJsonObject("flags").getBoolean(name)).isTrue();

    change(b, "PATCH", "/api/v1/flags/" + id, new JsonObject().put("rolloutPercentage", 0));
    awaitEvaluation(a, name, false, "rollout 0 through B");

    change(a, "PATCH", "/api/v1/flags/" + id, new JsonObject().put("rolloutPercentage", 100));
    awaitEvaluation(b, name, true, "rollout 100 through A");

    change(a, "DELETE", "/api/v1/flags/" + id, null);
    awaitEvaluation(b, name, false, "deleted through A");
    assertThat(b.get("/api/v1/flags/enabled", VIEWER).data().getJsonObject("flags").containsKey(name)).isFalse();
  }

  @Test
  @DisplayName("A flag created through one node is evaluated on the other soon after, though that node had asked for it as unknown")
  void creationThroughOneNodeIsEvaluatedOnTheOther() throws Exception {
    String name = "cluster-born-enabled";
    assertThat(enabledOn(b, name)).as("unknown flag").isFalse();
    change(a, "POST", "/api/v1/flags", new JsonObject().put("name", name).put("enabled", true).put("rolloutPercentage", 100));
    awaitEvaluation(b, name, true, "created enabled through A");
  }

  private static void change(AppProcess node, String method, String path, JsonObject body) {
    Resp r = node.send(method, path, ADMIN, body == null ? null : body.encode(), java.util.Map.of());
    assertThat(r.status()).as(method + " " + path + ": " + r).isIn(200, 201, 204);
  }

  private static boolean enabledOn(AppProcess node, String name) {
    Resp r = node.get("/api/v1/flags/" + name + "/enabled", VIEWER);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return r.data().getBoolean("enabled");
  }

  private static void awaitEvaluation(AppProcess node, String name, boolean expected, String change)
      throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + SIGNAL_WAIT.toNanos();
    while (enabledOn(node, name) != expected) {
      assertThat(System.nanoTime()).as("node on port " + node.port() + " evaluates " + name + " as " + expected
          + " after: " + change).isLessThan(deadline);
      Thread.sleep(20);
    }
    System.out.printf("[cluster] %s: seen on port %d after %d ms%n", change, node.port(),
        Duration.ofNanos(System.nanoTime() - start).toMillis());
  }
}
