package dev.systemtables.notifications;

import dev.systemtables.push.BrowserAddresses;
import dev.systemtables.testing.Resp;
import dev.systemtables.testing.TestApp;
import dev.systemtables.testing.TestRedis;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Unread counters in Redis stay equal to PostgreSQL's truth")
class NotificationCountersTest {

  static TestApp app;
  static RedisProbe redis;
  static String admin;

  @BeforeAll
  static void start() {
    String url = TestRedis.require();
    // These tests are about counting under concurrency, not about a slow Redis: on a loaded machine a 500 ms
    // command timeout would mark users stale and drop their counters, which a timeout test covers elsewhere.
    app = TestApp.start(Map.of("REDIS_URL", url), new io.vertx.core.json.JsonObject()
        .put("redis", new io.vertx.core.json.JsonObject().put("commandTimeoutMillis", 5_000)));
    redis = new RedisProbe(url);
    admin = app.token("admin-" + UUID.randomUUID(), "ADMIN");
  }

  @AfterAll
  static void stop() {
    if (app != null) app.close();
    if (redis != null) redis.close();
  }

  // User ids are unique per run: the shared Redis outlives each test's fresh database.
  static String user() {
    String id = "cu-" + UUID.randomUUID();
    assertThat(app.put("/api/v1/users/" + id, admin, "{\"role\":\"VIEWER\"}").status()).isEqualTo(200);
    return id;
  }

  static String create(String userId) {
    Resp r = app.post("/api/v1/notifications", admin, new JsonObject().put("userId", userId).put("type", "SYSTEM")
        .put("title", "t").put("message", "m").encode());
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.data().getJsonArray("notificationIds").getString(0);
  }

  static long count(String userId) {
    Resp r = app.get("/api/v1/notifications/unread-count", app.token(userId, "VIEWER"));
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return r.data().getLong("count");
  }

  /** Pushes published to the user's browser address, caught in-process. */
  static BlockingQueue<JsonObject> pushes(String userId) throws Exception {
    BlockingQueue<JsonObject> q = new LinkedBlockingQueue<>();
    MessageConsumer<JsonObject> c = app.app().vertx().eventBus().consumer(BrowserAddresses.user(userId), m -> q.add(m.body()));
    c.completion().await(5, TimeUnit.SECONDS);
    return q;
  }

  @Test
  @DisplayName("A counter is built on the first read, then follows create, read, delete and read-all")
  void counterFollowsEveryChange() {
    String u = user();
    String token = app.token(u, "VIEWER");
    String a = create(u);
    String b = create(u);
    String c = create(u);
    assertThat(redis.counter(u)).as("no counter before anyone asked").isNull();
    assertThat(count(u)).isEqualTo(3);
    assertThat(redis.counter(u)).as("rebuilt from PostgreSQL").isEqualTo(3);

    create(u);
    assertThat(redis.counter(u)).isEqualTo(4);
    app.post("/api/v1/notifications/" + a + "/read", token, null);
    assertThat(redis.counter(u)).isEqualTo(3);
    app.delete("/api/v1/notifications/" + a, token);
    assertThat(redis.counter(u)).as("deleting a read one changes nothing").isEqualTo(3);
    app.delete("/api/v1/notifications/" + b, token);
    assertThat(redis.counter(u)).as("deleting an unread one counts down").isEqualTo(2);
    app.post("/api/v1/notifications/read-all", token, null);
    assertThat(redis.counter(u)).isZero();
    assertThat(count(u)).isZero();
    assertThat(c).isNotNull();
  }

  @Test
  @DisplayName("A create while the counter is missing does not invent a count; the next read rebuilds it")
  void missingCounterIsRebuiltNotInvented() {
    String u = user();
    create(u);
    create(u);
    assertThat(count(u)).isEqualTo(2);
    redis.dropCounter(u);
    create(u);
    assertThat(redis.counter(u)).as("a plain INCRBY would have stored 1 here").isNull();
    assertThat(count(u)).isEqualTo(3);
    assertThat(redis.counter(u)).isEqualTo(3);
  }

  @Test
  @DisplayName("50 concurrent marks of the same notification count down once and push one event")
  void concurrentMarksCountOnce() throws Exception {
    String u = user();
    String token = app.token(u, "VIEWER");
    String target = create(u);
    create(u);
    create(u);
    assertThat(count(u)).isEqualTo(3);
    BlockingQueue<JsonObject> events = pushes(u);

    HttpClient http = HttpClient.newHttpClient();
    HttpRequest mark = HttpRequest.newBuilder(URI.create(app.baseUrl() + "/api/v1/notifications/" + target + "/read"))
        .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.noBody()).build();
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 50; i++) calls.add(http.sendAsync(mark, HttpResponse.BodyHandlers.ofString()));
    List<String> readAts = new ArrayList<>();
    for (CompletableFuture<HttpResponse<String>> call : calls) {
      HttpResponse<String> r = call.get(30, TimeUnit.SECONDS);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      readAts.add(new JsonObject(r.body()).getJsonObject("data").getString("readAt"));
    }
    assertThat(readAts).as("every caller sees the one read time").containsOnly(readAts.get(0));
    assertThat(redis.counter(u)).isEqualTo(2);
    assertThat(count(u)).isEqualTo(2);

    JsonObject event = events.poll(5, TimeUnit.SECONDS);
    assertThat(event).isNotNull();
    assertThat(event.getString("event")).isEqualTo("notification.read");
    assertThat(event.getString("id")).isEqualTo(target);
    assertThat(event.getLong("unreadCount")).isEqualTo(2);
    assertThat(events.poll(300, TimeUnit.MILLISECONDS)).as("only the mark that changed the row pushes").isNull();
  }

  @Test
  @DisplayName("Every change pushes its event with the new unread count to the user's address")
  void changesArePushed() throws Exception {
    String u = user();
    String token = app.token(u, "VIEWER");
    count(u);
    BlockingQueue<JsonObject> events = pushes(u);
    String a = create(u);
    JsonObject created = events.poll(5, TimeUnit.SECONDS);
    assertThat(created.getString("event")).isEqualTo("notification.created");
    assertThat(created.getLong("unreadCount")).isEqualTo(1);
    assertThat(created.getJsonObject("notification").getString("id")).isEqualTo(a);
    assertThat(created.getJsonObject("notification").getString("userId")).isEqualTo(u);
    assertThat(created.getJsonObject("notification").getBoolean("read")).isFalse();
    create(u);
    assertThat(events.poll(5, TimeUnit.SECONDS).getLong("unreadCount")).isEqualTo(2);

    app.delete("/api/v1/notifications/" + a, token);
    JsonObject deleted = events.poll(5, TimeUnit.SECONDS);
    assertThat(deleted).isEqualTo(new JsonObject().put("event", "notification.deleted").put("id", a).put("unreadCount", 1));
    app.post("/api/v1/notifications/read-all", token, null);
    JsonObject readAll = events.poll(5, TimeUnit.SECONDS);
    assertThat(readAll).isEqualTo(new JsonObject().put("event", "notifications.read-all").put("updated", 1).put("unreadCount", 0));
  }
}
