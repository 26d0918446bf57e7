package dev.systemtables.notifications;

import dev.systemtables.testing.Resp;
import dev.systemtables.testing.TestApp;
import dev.systemtables.testing.TestDatabases;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("A role broadcast to 10,000 users is one insert and one pipelined counter round")
class NotificationBroadcastTest {

  static final int USERS = 10_000;

  @Test
  @DisplayName("10,000 holders of a role each get one notification, and every counter goes up by one")
  void tenThousandUserBroadcast() throws Exception {
    try (LocalRedisServer server = LocalRedisServer.start();
         RedisProbe redis = new RedisProbe(server.url());
         TestApp app = TestApp.start(Map.of("REDIS_URL", server.url()))) {
      String admin = app.token("admin", "ADMIN");
      JsonArray users = new JsonArray();
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < USERS; i++) {
        String id = "brand-user-" + i;
        ids.add(id);
        users.add(new JsonObject().put("id", id).put("role", "BRAND"));
      }
      Resp seeded = app.put("/api/v1/users", admin, new JsonObject().put("users", users).encode());
      assertThat(seeded.status()).as(seeded.toString()).isEqualTo(200);

      // Counters already built for all but the last ten users (as if they had looked at their bell).
      List<Request> seed = new ArrayList<>();
      for (String id : ids.subList(0, USERS - 10)) {
        seed.add(Request.cmd(Command.HSET).arg(InboxCounters.key(id)).arg("n").arg(0).arg("t").arg(0));
      }
      redis.batch(seed);
      // One create beforehand, so Redis already holds the counter scripts and the round below is all EVALSHA.
      assertThat(app.put("/api/v1/users/warm-up", admin, "{\"role\":\"VIEWER\"}").status()).isEqualTo(200);
      assertThat(app.post("/api/v1/notifications", admin, new JsonObject().put("userId", "warm-up")
          .put("type", "SYSTEM").put("title", "warm-up").put("message", "m").encode()).status()).isEqualTo(201);
      redis.send(Request.cmd(Command.CONFIG).arg("RESETSTAT"));

      Resp r = app.post("/api/v1/notifications", admin, new JsonObject().put("userRole", "BRAND")
          .put("type", "SYSTEM").put("title", "Maintenance tonight").put("message", "22:00-23:00 UTC").encode());
      assertThat(r.status()).as(r.toString()).isEqualTo(201);
      assertThat(r.data().getInteger("created")).isEqualTo(USERS);
      assertThat(r.data().containsKey("notificationIds")).as("ids are listed only up to 1,000").isFalse();

      long scripts = redis.calls("evalsha");
      assertThat(redis.calls("eval")).isZero();
      assertThat(scripts).as("per 1,000 recipients one announcing and one applying script call, each round pipelined")
          .isEqualTo(2L * USERS / InboxCounters.CHUNK);
      assertThat(redis.calls("hincrby")).as("no per-user round trips outside the scripts")
          .isEqualTo(USERS + 2L * (USERS - 10)); // generation for everyone, both counts where they existed

      try (Connection c = TestDatabases.jdbc(app.databaseUrl()); Statement s = c.createStatement();
           ResultSet rs = s.executeQuery("""
               SELECT count(*), count(DISTINCT user_id), count(DISTINCT id),
                      bool_and(NOT read), count(DISTINCT created_at)
               FROM notifications WHERE title = 'Maintenance tonight'""")) {
        rs.next();
        assertThat(rs.getLong(1)).isEqualTo(USERS);
        assertThat(rs.getLong(2)).isEqualTo(USERS);
        assertThat(rs.getLong(3)).isEqualTo(USERS);
        assertThat(rs.getBoolean(4)).isTrue();
        assertThat(rs.getLong(5)).as("one transaction: one creation time").isEqualTo(1);
      }

      List<Request> read = new ArrayList<>();
      for (String id : ids) read.add(Request.cmd(Command.HGET).arg(InboxCounters.key(id)).arg("n"));
      List<Response> counters = redis.batch(read);
      for (int i = 0; i < USERS - 10; i++) {
        assertThat(counters.get(i)).as(ids.get(i)).isNotNull();
        assertThat(counters.get(i).toLong()).as(ids.get(i)).isEqualTo(1);
      }
      for (int i = USERS - 10; i < USERS; i++) {
        assertThat(counters.get(i)).as("no counter invented for " + ids.get(i)).isNull();
      }
      for (String id : List.of(ids.get(0), ids.get(4_321), ids.get(USERS - 1))) {
        Resp count = app.get("/api/v1/notifications/unread-count", app.token(id, "BRAND"));
        assertThat(count.data().getLong("count")).as(id).isEqualTo(1);
      }
      assertThat(redis.counter(ids.get(USERS - 1))).as("rebuilt on read").isEqualTo(1);
    }
  }
}
