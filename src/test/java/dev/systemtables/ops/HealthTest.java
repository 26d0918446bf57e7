package dev.systemtables.ops;

import dev.systemtables.testing.Resp;
import dev.systemtables.testing.TestApp;
import dev.systemtables.testing.TestRedis;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Operations: liveness, readiness with and without Redis, Prometheus metrics")
class HealthTest {

  /** One check of a vertx-health-check report: {@code {"status", "checks": [{"id", "status", "data"?}], "outcome"}}. */
  static io.vertx.core.json.JsonObject check(Resp report, String id) {
    return report.json().getJsonArray("checks").stream().map(io.vertx.core.json.JsonObject.class::cast)
        .filter(c -> id.equals(c.getString("id"))).findFirst().orElseThrow();
  }

  static String redisState(Resp report) {
    io.vertx.core.json.JsonObject redis = check(report, "redis");
    assertThat(redis.getString("status")).as("Redis never makes the node unready").isEqualTo("UP");
    return redis.getJsonObject("data").getString("state");
  }

  @Test
  @DisplayName("Without Redis the node is ready and reports Redis DISABLED")
  void readyWithoutRedis() {
    try (TestApp app = TestApp.start()) {
      assertThat(app.get("/health/live", null).status()).isEqualTo(200);
      Resp ready = app.get("/health/ready", null);
      assertThat(ready.status()).isEqualTo(200);
      assertThat(check(ready, "database").getString("status")).isEqualTo("UP");
      assertThat(redisState(ready)).isEqualTo("DISABLED");
    }
  }

  @Test
  @DisplayName("With Redis the node is ready and reports Redis UP")
  void readyWithRedis() {
    String redis = TestRedis.require();
    try (TestApp app = TestApp.start(Map.of("REDIS_URL", redis))) {
      Resp ready = app.get("/health/ready", null);
      assertThat(ready.status()).isEqualTo(200);
      assertThat(redisState(ready)).isEqualTo("UP");
    }
  }

  @Test
  @DisplayName("A configured Redis that does not answer is reported DOWN without making the node unready")
  void redisDownDoesNotFailReadiness() {
    try (TestApp app = TestApp.start(Map.of("REDIS_URL", "redis://127.0.0.1:" + TestApp.freePort()))) {
      Resp ready = app.get("/health/ready", null);
      assertThat(ready.status()).isEqualTo(200);
      assertThat(redisState(ready)).isEqualTo("DOWN");
      assertThat(check(ready, "database").getString("status")).isEqualTo("UP");
    }
  }

  @Test
  @DisplayName("/metrics serves Prometheus text including HTTP server metrics")
  void metrics() {
    try (TestApp app = TestApp.start()) {
      app.get("/api/v1/me", app.token("m1", "VIEWER"));
      Resp metrics = app.get("/metrics", null);
      assertThat(metrics.status()).isEqualTo(200);
      assertThat(metrics.body()).contains("# TYPE").contains("vertx_http_server_requests_total");
    }
  }
}
