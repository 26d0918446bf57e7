package dev.systemtables.ops;

import dev.systemtables.testing.AppProcess;
import dev.systemtables.testing.Jwts;
import dev.systemtables.testing.TestApp;
import dev.systemtables.testing.TestDatabases;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("SIGTERM: the jar drains (readiness 503 while serving), stops accepting, finishes in-flight requests, and exits 0")
class GracefulShutdownIT {

  /** Long enough to observe the drain phase on a loaded CI machine, short enough to keep the test quick. */
  private static final int DRAIN_SECONDS = 4;

  @Test
  @DisplayName("After SIGTERM readiness answers 503 while new requests are still served; then new connections are refused, the request held in flight by a row lock completes, exit code 0")
  void drainsAndExitsZero() throws Exception {
    String db = TestDatabases.freshDatabase();
    int port = TestApp.freePort();
    var config = AppProcess.configFile(new JsonObject().put("shutdown", new JsonObject().put("drainSeconds", DRAIN_SECONDS)));
    try (AppProcess node = AppProcess.start("sigterm", Map.of(
        "DATABASE_URL", db, "HTTP_PORT", String.valueOf(port), "JWT_SECRET", TestApp.SECRET),
        List.of(AppProcess.configArg(config)))) {
      node.awaitReady(Duration.ofSeconds(60));
      String admin = Jwts.hs256(TestApp.SECRET, new JsonObject().put("sub", "admin").put("role", "ADMIN")
          .put("exp", Jwts.now() + 600));
      HttpClient http = HttpClient.newHttpClient();
      HttpRequest upsert = HttpRequest.newBuilder(URI.create(node.baseUrl() + "/api/v1/users/held"))
          .header("Authorization", "Bearer " + admin)
          .PUT(HttpRequest.BodyPublishers.ofString("{\"role\":\"VIEWER\"}")).build();
      assertThat(http.send(upsert, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);

      try (Connection c = TestDatabases.jdbc(db); Statement s = c.createStatement()) {
        c.setAutoCommit(false);
        s.execute("SELECT * FROM users WHERE id = 'held' FOR UPDATE");
        CompletableFuture<HttpResponse<String>> inFlight = http.sendAsync(upsert, HttpResponse.BodyHandlers.ofString());
        waitUntilWaitingOnLock(db);
        long terminatedAt = System.nanoTime();
        node.terminate();

        // The drain: out of a balancer's rotation, still serving. Each call on a connection of its own,
        // as a balancer's health check and a new client would open.
        int ready = 200;
        while (ready == 200 && System.nanoTime() - terminatedAt < Duration.ofSeconds(DRAIN_SECONDS).toNanos()) {
          ready = status(node.baseUrl() + "/health/ready", null);
          if (ready == 200) Thread.sleep(50);
        }
        assertThat(ready).as("readiness while draining").isEqualTo(503);
        assertThat(status(node.baseUrl() + "/health/live", null)).as("liveness while draining").isEqualTo(200);
        assertThat(status(node.baseUrl() + "/api/v1/me", admin)).as("a new request while draining").isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - terminatedAt))
            .as("all of the above happened within the drain phase").isLessThan(Duration.ofSeconds(DRAIN_SECONDS));

        // Then the listener closes while the held request is still running.
        long deadline = System.nanoTime() + Duration.ofSeconds(DRAIN_SECONDS + 20).toNanos();
        boolean refused = false;
        while (!refused && System.nanoTime() < deadline) {
          try {
            status(node.baseUrl() + "/health/live", null);
            Thread.sleep(100);
          } catch (IOException e) {
            refused = true;
          }
        }
        assertThat(refused).as("new connections are refused after the drain").isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - terminatedAt)).as("not before the drain ended")
            .isGreaterThanOrEqualTo(Duration.ofSeconds(DRAIN_SECONDS));
        assertThat(node.isAlive()).as("still finishing the held request").isTrue();
        // Held on past the listener's close, while the node is stopping: its answer must still arrive.
        Thread.sleep(1000);
        assertThat(inFlight).isNotDone();
        c.commit();
        assertThat(inFlight.get().statusCode()).as(inFlight.get().body()).isEqualTo(200);
      }
      assertThat(node.waitForExit(Duration.ofSeconds(30))).as(node.output()).isZero();
      assertThat(node.output()).contains("draining: /health/ready answers 503 for " + DRAIN_SECONDS + " s");
    }
  }

  /** A request on a new connection (a new client each time, as a balancer's check opens one). */
  private static int status(String url, String token) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2));
    if (token != null) b.header("Authorization", "Bearer " + token);
    return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build()
        .send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private static void waitUntilWaitingOnLock(String db) throws Exception {
    for (int i = 0; i < 100; i++) {
      try (Connection c = TestDatabases.jdbc(db); Statement s = c.createStatement();
           var rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO users%'")) {
        rs.next();
        if (rs.getInt(1) > 0) return;
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("the request never reached the database");
  }
}
