package dev.systemtables.notifications;

import dev.systemtables.testing.Resp;
import dev.systemtables.testing.TestApp;
import dev.systemtables.testing.TestDatabases;
import dev.systemtables.testing.TestRedis;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Inbox pages kept in memory are served only while nothing in the inbox changed")
class InboxPagesTest {

  static final JsonObject SETTINGS = new JsonObject()
      .put("redis", new JsonObject().put("commandTimeoutMillis", 5_000))
      .put("notifications", new JsonObject().put("cachedPages", 100));

  static String redisUrl;
  static String db;
  static TestApp a;
  static TestApp b;
  static RedisProbe redis;
  static String admin;

  @BeforeAll
  static void start() {
    redisUrl = TestRedis.require();
    db = TestDatabases.freshDatabase();
    a = TestApp.start(Map.of("REDIS_URL", redisUrl, "DATABASE_URL", db), SETTINGS);
    b = TestApp.start(Map.of("REDIS_URL", redisUrl, "DATABASE_URL", db), SETTINGS);
    redis = new RedisProbe(redisUrl);
    admin = a.token("admin-" + UUID.randomUUID(), "ADMIN");
  }

  @AfterAll
  static void stop() {
    if (a != null) a.close();
    if (b != null) b.close();
    if (redis != null) redis.close();
  }

  // Unique per run: the shared Redis outlives each run's fresh database.
  static String user() {
    String id = "pg-" + UUID.randomUUID();
    assertThat(a.put("/api/v1/users/" + id, admin, "{\"role\":\"VIEWER\"}").status()).isEqualTo(200);
    return id;
  }

  static String create(TestApp via, String userId, String title) {
    Resp r = via.post("/api/v1/notifications", admin, new JsonObject().put("userId", userId).put("type", "SYSTEM")
        .put("title", title).put("message", "m").encode());
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.data().getJsonArray("notificationIds").getString(0);
  }

  static JsonObject page(TestApp via, String userId) {
    Resp r = via.get("/api/v1/notifications?page=1&pageSize=20", via.token(userId, "VIEWER"));
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return r.json();
  }

  static JsonArray items(TestApp via, String userId) {
    return page(via, userId).getJsonArray("data");
  }

  /** Changes a row behind the service's back, so only a page read again from PostgreSQL shows it. */
  static void retitleInDatabase(String notificationId, String title) {
    TestDatabases.execute(db, "UPDATE notifications SET title = '" + title + "' WHERE id = '" + notificationId + "'");
  }

  @Test
  @DisplayName("A page read again while nothing changed comes from memory; any change through the service is seen on the next read")
  void servedFromMemoryUntilTheInboxChanges() {
    String u = user();
    String first = create(a, u, "first");
    items(a, u); // the first read rebuilds the counters: nothing is kept yet
    assertThat(items(a, u).getJsonObject(0).getString("title")).isEqualTo("first");

    retitleInDatabase(first, "edited");
    assertThat(items(a, u).getJsonObject(0).getString("title")).as("kept in memory, PostgreSQL not asked").isEqualTo("first");

    create(a, u, "second");
    JsonArray after = items(a, u);
    assertThat(after).hasSize(2);
    assertThat(after.getJsonObject(0).getString("title")).isEqualTo("second");
    assertThat(after.getJsonObject(1).getString("title")).as("read again after the change").isEqualTo("edited");
    assertThat(page(a, u).getJsonObject("meta").getJsonObject("pagination").getLong("total")).isEqualTo(2);
  }

  @Test
  @DisplayName("A change made through another node is seen on this node's next read")
  void changesOnAnotherNodeAreSeen() {
    String u = user();
    String id = create(a, u, "one");
    items(a, u);
    assertThat(items(a, u).getJsonObject(0).getBoolean("read")).isFalse();

    assertThat(b.post("/api/v1/notifications/" + id + "/read", b.token(u, "VIEWER"), null).status()).isEqualTo(200);
    assertThat(items(a, u).getJsonObject(0).getBoolean("read")).as("marked read on the other node").isTrue();

    create(b, u, "two");
    assertThat(items(a, u)).as("created on the other node").hasSize(2);

    assertThat(b.delete("/api/v1/notifications/" + id, b.token(u, "VIEWER")).status()).isEqualTo(204);
    assertThat(items(a, u)).as("deleted on the other node").hasSize(1);
  }

  @Test
  @DisplayName("Counters dropped from Redis and rebuilt never show a generation a kept page was read at")
  void aRebuiltCounterStartsANewGeneration() {
    String u = user();
    create(a, u, "1");
    create(a, u, "2");
    items(a, u); // rebuilds the counters
    assertThat(items(a, u)).hasSize(2); // kept under the current generation

    redis.dropCounter(u); // as an operator's flush or the key's expiry would
    items(a, u); // rebuilt again (the rebuild starts a generation)
    // Two moves before the page was kept, two after the drop: counted from zero again, they would meet.
    create(a, u, "3");
    assertThat(items(a, u)).as("read again, not the page kept before the counters were dropped").hasSize(3);
  }
}
