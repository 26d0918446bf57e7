package dev.systemtables.ops;

import dev.systemtables.testing.AppProcess;
import dev.systemtables.testing.Jwts;
import dev.systemtables.testing.TestApp;
import dev.systemtables.testing.TestDatabases;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("SIGTERM: the jar stops accepting, finishes in-flight requests, and exits 0")
class GracefulShutdownIT {

  @Test
  @DisplayName("A request held in flight by a row lock completes after SIGTERM, new connections are refused, exit code 0")
  void drainsAndExitsZero() throws Exception {
    String db = TestDatabases.freshDatabase();
    int port = TestApp.freePort();
    try (AppProcess node = AppProcess.start("sigterm", Map.of(
        "DATABASE_URL", db, "HTTP_PORT", String.valueOf(port), "JWT_SECRET", TestApp.SECRET))) {
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
        node.terminate();
        Thread.sleep(500);
        assertThat(node.isAlive()).as("still draining the held request").isTrue();
        assertThatThrownBy(() -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(node.baseUrl() + "/health/live")).timeout(Duration.ofSeconds(2)).build(),
            HttpResponse.BodyHandlers.ofString()))
            .as("no new connections once stopping").isInstanceOf(java.io.IOException.class);
        c.commit();
        assertThat(inFlight.get().statusCode()).isEqualTo(200);
      }
      assertThat(node.waitForExit(Duration.ofSeconds(30))).as(node.output()).isZero();
    }
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
