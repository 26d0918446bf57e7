package dev.systemtables.trpc;

import dev.systemtables.testing.BridgeClient;
import dev.systemtables.testing.Resp;
import dev.systemtables.testing.TestApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The endpoint driven by the real tRPC clients, from Node: {@code clients/trpc} (package.json and
 * package-lock.json pin {@code @trpc/client} 11.25.2 and 10.45.4, superjson and TypeScript). Two nodes run, one
 * serving plain JSON and one superjson, and the same Node tests (every procedure with httpLink, httpBatchLink and
 * httpBatchStreamLink, the error mapping, a mixed batch, and 10.x httpBatchLink and httpLink) run against each.
 *
 * <p>Needs {@code node} on the PATH ({@code .ci/run} installs it): without it the test is skipped with a message,
 * except under CI ({@code CI} set), where it fails. The Node packages are installed with {@code npm ci} when
 * {@code clients/trpc/node_modules} is missing.
 */
@DisplayName("tRPC endpoint: the real @trpc/client 11 and 10 from Node")
class TrpcClientsTest {

  static final Path CLIENTS = Path.of("clients", "trpc").toAbsolutePath();
  static final Duration NODE_TIMEOUT = Duration.ofMinutes(3);

  static TestApp plain;
  static TestApp superjson;

  @BeforeAll
  static void start() throws Exception {
    boolean node = run(List.of("node", "--version"), Map.of(), Duration.ofSeconds(30)).exit() == 0;
    if (!node && System.getenv("CI") != null) {
      throw new AssertionError("node is not on the PATH: .ci/run must install it, the tRPC client tests need it");
    }
    Assumptions.assumeTrue(node, "node is not on the PATH: the tRPC client tests are skipped");
    if (!Files.isDirectory(CLIENTS.resolve("node_modules/@trpc/client"))
        || !Files.isDirectory(CLIENTS.resolve("v10/node_modules/@trpc/client"))) {
      Outcome install = run(List.of("npm", "ci", "--no-audit", "--no-fund"), Map.of(), Duration.ofMinutes(5));
      assertThat(install.exit()).as("npm ci in clients/trpc:\n" + install.output()).isZero();
    }
    plain = TestApp.start();
    superjson = TestApp.start(Map.of(), new JsonObject().put("trpc", new JsonObject().put("transformer", "superjson")));
  }

  @AfterAll
  static void stop() {
    if (plain != null) plain.close();
    if (superjson != null) superjson.close();
  }

  @Test
  @DisplayName("every procedure, the error mapping and a mixed batch pass with the real clients against plain JSON")
  void plainJson() throws Exception {
    assertNodeTestsPass(plain, "json");
  }

  @Test
  @DisplayName("the same tests pass with the clients set up with superjson against a node configured for superjson")
  void superjson() throws Exception {
    assertNodeTestsPass(superjson, "superjson");
  }

  @Test
  @DisplayName("tsc --noEmit accepts every call of the original examples and refuses a misspelt procedure or wrong input")
  void routerType() throws Exception {
    Outcome tests = run(List.of("node", "--test", "--test-reporter=spec", "test/typecheck.test.mjs"), Map.of(), NODE_TIMEOUT);
    System.out.println(tests.output());
    assertThat(tests.exit()).as(tests.output()).isZero();
    assertThat(tests.output()).contains("ℹ pass 2").contains("ℹ fail 0");
  }

  @Test
  @DisplayName("the original docs' curl of system.featureFlags.list with a token answers the flags as tRPC JSON")
  void docsCurl() throws Exception {
    String admin = plain.token("ops-" + UUID.randomUUID(), "ADMIN");
    String name = "docs-curl-" + UUID.randomUUID().toString().substring(0, 8);
    assertThat(plain.post("/api/v1/flags", admin, new JsonObject().put("name", name).encode()).status()).isEqualTo(201);
    for (TestApp app : List.of(plain, superjson)) {
      Outcome curl = run(List.of("curl", "-s", "-H", "Authorization: Bearer " + app.token("ops-1", "ADMIN"),
          app.baseUrl() + "/api/trpc/system.featureFlags.list"), Map.of(), Duration.ofSeconds(30));
      assertThat(curl.exit()).as(curl.output()).isZero();
      JsonObject data = new JsonObject(curl.output()).getJsonObject("result").getJsonObject("data");
      JsonArray flags = (app == superjson ? data.getJsonObject("json") : data).getJsonArray("data");
      assertThat(flags).as(curl.output()).isNotNull();
      if (app == plain) {
        assertThat(flags.stream().map(f -> ((JsonObject) f).getString("name"))).contains(name);
      } else {
        assertThat(data.containsKey("json")).as("superjson-wrapped: " + curl.output()).isTrue();
      }
    }
    Outcome noToken = run(List.of("curl", "-s", plain.baseUrl() + "/api/trpc/system.featureFlags.list"), Map.of(),
        Duration.ofSeconds(30));
    assertThat(new JsonObject(noToken.output()).getJsonObject("error").getJsonObject("data").getString("code"))
        .isEqualTo("UNAUTHORIZED");
  }

  @Test
  @DisplayName("a notification created over tRPC from Node arrives on the recipient's event-bus bridge address")
  void createdOverTrpcArrivesOnTheBridge() throws Exception {
    String userId = "bridge-" + UUID.randomUUID();
    String token = plain.token(userId, "VIEWER");
    Resp me = plain.get("/api/v1/me", token); // records the user in the directory
    assertThat(me.status()).isEqualTo(200);
    String address = "notifications.user." + userId;
    String title = "over tRPC " + UUID.randomUUID();
    try (BridgeClient bridge = BridgeClient.connect(plain.port())) {
      bridge.register(address, token);
      bridge.awaitRegistered(address);
      Outcome created = run(List.of("node", "test/create-notification.mjs", userId, title), env(plain, "json"),
          NODE_TIMEOUT);
      assertThat(created.exit()).as(created.output()).isZero();
      String id = new JsonObject(created.output().trim()).getJsonObject("data").getJsonArray("notificationIds").getString(0);

      JsonObject event = bridge.awaitMessage(address, b -> "notification.created".equals(b.getString("event")),
          Duration.ofSeconds(10));
      assertThat(event.getJsonObject("notification").getString("id")).isEqualTo(id);
      assertThat(event.getJsonObject("notification").getString("title")).isEqualTo(title);
      assertThat(event.getLong("unreadCount")).isEqualTo(1);
    }
  }

  // ---- helpers ----

  private static void assertNodeTestsPass(TestApp app, String transformer) throws Exception {
    List<String> command = new ArrayList<>(List.of("node", "--test", "--test-reporter=spec",
        "test/clients/procedures.test.mjs", "test/clients/errors.test.mjs", "v10/v10.test.cjs"));
    Outcome tests = run(command, env(app, transformer), NODE_TIMEOUT);
    System.out.println(tests.output());
    assertThat(tests.exit()).as(tests.output()).isZero();
    assertThat(tests.output()).contains("ℹ fail 0").doesNotContain("ℹ pass 0");
  }

  private static Map<String, String> env(TestApp app, String transformer) {
    return Map.of("TRPC_BASE_URL", app.baseUrl(), "TRPC_TRANSFORMER", transformer, "JWT_SECRET", TestApp.SECRET);
  }

  record Outcome(int exit, String output) {
  }

  /** Runs a command in clients/trpc with extra environment; its output (stdout and stderr) in one string. */
  private static Outcome run(List<String> command, Map<String, String> env, Duration timeout) throws Exception {
    Path log = Files.createTempFile("wt-trpc-", ".log");
    try {
      ProcessBuilder pb = new ProcessBuilder(command).directory(CLIENTS.toFile())
          .redirectErrorStream(true).redirectOutput(log.toFile());
      pb.environment().putAll(env);
      Process p;
      try {
        p = pb.start();
      } catch (IOException e) {
        return new Outcome(-1, command.get(0) + " could not start: " + e.getMessage());
      }
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        return new Outcome(-2, "timed out after " + timeout + ":\n" + Files.readString(log, StandardCharsets.UTF_8));
      }
      return new Outcome(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(log);
    }
  }
}
