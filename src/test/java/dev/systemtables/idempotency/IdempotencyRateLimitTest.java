package dev.systemtables.idempotency;

import dev.systemtables.testing.Resp;
import dev.systemtables.testing.TestApp;
import dev.systemtables.testing.TestRedis;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Idempotency claims are rate limited per caller")
class IdempotencyRateLimitTest {

  static final JsonObject THREE_PER_HOUR = new JsonObject()
      .put("rateLimits", new JsonObject().put("idempotencyClaimsPerHour", 3));

  static Resp claim(TestApp app, String token, String key) {
    return app.post("/api/v1/idempotency", token,
        new JsonObject().put("key", key).put("entityType", "payout").put("requestHash", "h").encode());
  }

  static void assertLimited(Resp r) {
    assertThat(r.status()).as(r.toString()).isEqualTo(429);
    assertThat(r.json().getString("code")).isEqualTo("RATE_LIMITED");
    assertThat(Integer.parseInt(r.header("Retry-After"))).isBetween(1, 3600);
  }

  @Test
  @DisplayName("Without Redis: the 4th claim in the hour gets 429 with Retry-After; other callers and header requests are not throttled")
  void perNodeWithoutRedis() {
    try (TestApp app = TestApp.start(Map.of(), THREE_PER_HOUR)) {
      String admin = app.token("limited-admin", "ADMIN");
      for (int i = 1; i <= 3; i++) {
        assertThat(claim(app, admin, "k-" + i).status()).isEqualTo(201);
      }
      Resp limited = claim(app, admin, "k-4");
      assertLimited(limited);
      assertThat(limited.json().getInteger("retryAfterSeconds")).isEqualTo(Integer.parseInt(limited.header("Retry-After")));
      // Replays count as claims too, so they are refused as well.
      assertLimited(claim(app, admin, "k-1"));

      assertThat(claim(app, app.token("other-caller", "VIEWER"), "k-1").status()).isEqualTo(201);
      for (int i = 1; i <= 5; i++) {
        Resp put = app.send("PUT", "/api/v1/users/u-" + i, admin, "{\"role\":\"VIEWER\"}",
            Map.of("Idempotency-Key", "header-" + i));
        assertThat(put.status()).as(put.toString()).isEqualTo(200);
      }
    }
  }

  @Test
  @DisplayName("With Redis: the window is shared by the nodes, so claims on two nodes add up")
  void sharedWindowInRedis() {
    String redis = TestRedis.require();
    String caller = "limited-" + UUID.randomUUID();
    try (TestApp one = TestApp.start(Map.of("REDIS_URL", redis), THREE_PER_HOUR);
         TestApp two = TestApp.start(Map.of("REDIS_URL", redis, "DATABASE_URL", one.databaseUrl()), THREE_PER_HOUR)) {
      String t = one.token(caller, "CREATOR");
      assertThat(claim(one, t, "k-1").status()).isEqualTo(201);
      assertThat(claim(one, t, "k-2").status()).isEqualTo(201);
      assertThat(claim(two, t, "k-3").status()).isEqualTo(201);
      assertLimited(claim(two, t, "k-4"));
      assertLimited(claim(one, t, "k-4"));
    }
  }
}
