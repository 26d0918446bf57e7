package dev.systemtables.notifications;

import dev.systemtables.testing.Resp;
import dev.systemtables.testing.TestApp;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Unread counts stay right while Redis is down, and stale counters are rebuilt when it returns")
class NotificationRedisOutageTest {

  @Test
  @DisplayName("Counts come from PostgreSQL while Redis is stopped; a counter restored stale is not believed")
  void countsSurviveAnOutage() throws Exception {
    try (LocalRedisServer server = LocalRedisServer.start();
         TestApp app = TestApp.start(Map.of("REDIS_URL", server.url()),
             new JsonObject().put("redis", new JsonObject().put("commandTimeoutMillis", 300)))) {
      String admin = app.token("admin", "ADMIN");
      String user = "outage-user";
      String token = app.token(user, "VIEWER");
      assertThat(app.put("/api/v1/users/" + user, admin, "{\"role\":\"VIEWER\"}").status()).isEqualTo(200);
      String a = create(app, admin, user);
      String b = create(app, admin, user);
      create(app, admin, user);
      assertThat(count(app, token)).isEqualTo(3);
      try (RedisProbe redis = new RedisProbe(server.url())) {
        assertThat(redis.counter(user)).isEqualTo(3);
        // Snapshot the counter, so the restarted Redis comes back with a value that will be stale.
        redis.send(Request.cmd(Command.SAVE));
      }

      server.kill();
      assertThat(app.post("/api/v1/notifications/" + a + "/read", token, null).status()).isEqualTo(200);
      assertThat(app.delete("/api/v1/notifications/" + b, token).status()).isEqualTo(204);
      create(app, admin, user);
      create(app, admin, user);
      assertThat(count(app, token)).as("from PostgreSQL while Redis is down").isEqualTo(3);
      assertThat(app.post("/api/v1/notifications/read-all", token, null).data().getInteger("updated")).isEqualTo(3);
      create(app, admin, user);
      assertThat(count(app, token)).isEqualTo(1);

      server.startProcess();
      try (RedisProbe redis = new RedisProbe(server.url())) {
        assertThat(redis.counter(user)).as("the restarted Redis holds the old count").isEqualTo(3);
        // The node remembers whose counters missed changes and drops them once Redis answers.
        waitUntil(() -> redis.counter(user) == null);
        assertThat(count(app, token)).isEqualTo(1);
        assertThat(redis.counter(user)).as("rebuilt from PostgreSQL").isEqualTo(1);
        create(app, admin, user);
        assertThat(redis.counter(user)).isEqualTo(2);
        assertThat(count(app, token)).isEqualTo(2);
      }
    }
  }

  static String create(TestApp app, String admin, String user) {
    Resp r = app.post("/api/v1/notifications", admin, new JsonObject().put("userId", user).put("type", "SYSTEM")
        .put("title", "t").put("message", "m").encode());
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.data().getJsonArray("notificationIds").getString(0);
  }

  static long count(TestApp app, String token) {
    Resp r = app.get("/api/v1/notifications/unread-count", token);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return r.data().getLong("count");
  }

  static void waitUntil(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 15_000;
    while (!condition.getAsBoolean()) {
      assertThat(System.currentTimeMillis()).as("condition not reached in 15 s").isLessThan(deadline);
      Thread.sleep(50);
    }
  }
}
