package dev.systemtables.notifications;

import dev.systemtables.testing.Resp;
import dev.systemtables.testing.TestApp;
import dev.systemtables.testing.TestDatabases;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Notifications REST API (PostgreSQL only, no Redis)")
class NotificationApiTest {

  static TestApp app;
  static String admin;

  @BeforeAll
  static void start() {
    app = TestApp.start();
    admin = app.token("admin-" + UUID.randomUUID(), "ADMIN");
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  /** A new user in the directory, with a token. */
  static User user(String role) {
    String id = "u-" + UUID.randomUUID();
    Resp r = app.put("/api/v1/users/" + id, admin, new JsonObject().put("role", role).encode());
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return new User(id, app.token(id, role));
  }

  record User(String id, String token) {
  }

  static JsonObject notification(String title) {
    return new JsonObject().put("type", "SYSTEM").put("title", title).put("message", "message of " + title);
  }

  static String createFor(User u, JsonObject fields) {
    Resp r = app.post("/api/v1/notifications", admin, fields.copy().put("userId", u.id()).encode());
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.data().getJsonArray("notificationIds").getString(0);
  }

  static long unread(User u) {
    Resp r = app.get("/api/v1/notifications/unread-count", u.token());
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return r.data().getLong("count");
  }

  static List<String> ids(Resp list) {
    List<String> out = new ArrayList<>();
    list.json().getJsonArray("data").forEach(o -> out.add(((JsonObject) o).getString("id")));
    return out;
  }

  static long rows(String where) throws Exception {
    try (Connection c = TestDatabases.jdbc(app.databaseUrl()); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT count(*) FROM notifications WHERE " + where)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  @DisplayName("An admin creates a notification for one user; it is listed with every field, defaults applied")
  void createForOneUser() {
    User u = user("CREATOR");
    JsonObject metadata = new JsonObject().put("licenseId", "lic-1").put("amount", 12.5);
    Resp r = app.post("/api/v1/notifications", admin, notification("Licence approved").put("userId", u.id())
        .put("actionUrl", "/licenses/lic-1").put("metadata", metadata).encode());
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    assertThat(r.data().getInteger("created")).isEqualTo(1);
    String id = r.data().getJsonArray("notificationIds").getString(0);

    Resp list = app.get("/api/v1/notifications", u.token());
    assertThat(list.status()).isEqualTo(200);
    JsonObject n = list.json().getJsonArray("data").getJsonObject(0);
    assertThat(n.fieldNames()).containsExactlyInAnyOrder("id", "userId", "type", "title", "message", "actionUrl",
        "priority", "read", "readAt", "metadata", "createdAt");
    assertThat(n.getString("id")).isEqualTo(id);
    assertThat(n.getString("userId")).isEqualTo(u.id());
    assertThat(n.getString("type")).isEqualTo("SYSTEM");
    assertThat(n.getString("title")).isEqualTo("Licence approved");
    assertThat(n.getString("priority")).isEqualTo("MEDIUM");
    assertThat(n.getBoolean("read")).isFalse();
    assertThat(n.getValue("readAt")).isNull();
    assertThat(n.getString("actionUrl")).isEqualTo("/licenses/lic-1");
    assertThat(n.getJsonObject("metadata")).isEqualTo(metadata);
    assertThat(n.getString("createdAt")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z");
    assertThat(list.json().getJsonObject("meta").getJsonObject("pagination"))
        .isEqualTo(new JsonObject().put("page", 1).put("pageSize", 20).put("total", 1).put("totalPages", 1));
    assertThat(unread(u)).isEqualTo(1);
  }

  @Test
  @DisplayName("userIds creates one notification per distinct listed user, in one go")
  void createForUserIds() throws Exception {
    User a = user("VIEWER");
    User b = user("BRAND");
    Resp r = app.post("/api/v1/notifications", admin, notification("Payout sent")
        .put("userIds", new JsonArray().add(a.id()).add(b.id()).add(a.id())).put("type", "PAYOUT").encode());
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    assertThat(r.data().getInteger("created")).isEqualTo(2);
    assertThat(r.data().getJsonArray("notificationIds")).hasSize(2);
    assertThat(rows("user_id IN ('" + a.id() + "', '" + b.id() + "')")).isEqualTo(2);
    assertThat(unread(a)).isEqualTo(1);
    assertThat(unread(b)).isEqualTo(1);
  }

  @Test
  @DisplayName("userRole reaches every holder of the role and nobody else")
  void createForRole() throws Exception {
    // A fresh database: the only CREATORs are the ones made here and by other tests of this class.
    long before = rows("true");
    User creator = user("CREATOR");
    User viewer = user("VIEWER");
    long creators;
    try (Connection c = TestDatabases.jdbc(app.databaseUrl()); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT count(*) FROM users WHERE role = 'CREATOR'")) {
      rs.next();
      creators = rs.getLong(1);
    }
    Resp r = app.post("/api/v1/notifications", admin, notification("New project").put("type", "PROJECT")
        .put("userRole", "CREATOR").encode());
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    assertThat(r.data().getLong("created")).isEqualTo(creators);
    assertThat(rows("true") - before).isEqualTo(creators);
    assertThat(ids(app.get("/api/v1/notifications?type=PROJECT", creator.token()))).hasSize(1);
    assertThat(ids(app.get("/api/v1/notifications", viewer.token()))).isEmpty();
  }

  @Test
  @DisplayName("Unknown user ids answer 422 naming them, and nothing is created")
  void unknownUsers() throws Exception {
    User known = user("VIEWER");
    long before = rows("true");
    Resp r = app.post("/api/v1/notifications", admin, notification("x")
        .put("userIds", new JsonArray().add(known.id()).add("ghost-1").add("ghost-2")).encode());
    assertThat(r.status()).as(r.toString()).isEqualTo(422);
    assertThat(r.json().getString("code")).isEqualTo("UNPROCESSABLE");
    assertThat(r.json().getString("detail")).contains("ghost-1", "ghost-2").doesNotContain(known.id());
    assertThat(r.json().getJsonArray("unknownUserIds")).containsExactly("ghost-1", "ghost-2");
    assertThat(rows("true")).isEqualTo(before);

    Resp one = app.post("/api/v1/notifications", admin, notification("x").put("userId", "ghost-3").encode());
    assertThat(one.status()).isEqualTo(422);
    assertThat(one.json().getString("detail")).contains("ghost-3");
    assertThat(rows("true")).isEqualTo(before);
  }

  @Test
  @DisplayName("No recipient answers 422: an empty userIds, or a role nobody holds")
  void noRecipients() throws Exception {
    long before = rows("true");
    Resp empty = app.post("/api/v1/notifications", admin, notification("x").put("userIds", new JsonArray()).encode());
    assertThat(empty.status()).as(empty.toString()).isEqualTo(422);
    assertThat(empty.json().getString("code")).isEqualTo("UNPROCESSABLE");
    assertThat(empty.json().getString("detail")).contains("recipient");

    // A role without holders, in a database of its own so other tests cannot have created one.
    try (TestApp lonely = TestApp.start()) {
      String token = lonely.token("admin-x", "ADMIN");
      Resp r = lonely.post("/api/v1/notifications", token, notification("x").put("userRole", "BRAND").encode());
      assertThat(r.status()).as(r.toString()).isEqualTo(422);
      assertThat(r.json().getString("detail")).contains("recipient");
    }
    assertThat(rows("true")).isEqualTo(before);
  }

  static Stream<Arguments> invalidCreates() {
    JsonObject ok = notification("t").put("userId", "someone");
    String big = "x".repeat(16 * 1024);
    JsonArray tooMany = new JsonArray();
    for (int i = 0; i <= 10_000; i++) tooMany.add("u" + i);
    return Stream.of(
        Arguments.of("no recipient field", ok.copy().put("userId", null), "exactly one of userId, userIds, userRole"),
        Arguments.of("two recipient fields", ok.copy().put("userRole", "VIEWER"), "exactly one of userId, userIds, userRole"),
        Arguments.of("userId not a string", ok.copy().put("userId", 5), "userId"),
        Arguments.of("userIds not an array", ok.copy().put("userId", null).put("userIds", "a"), "userIds"),
        Arguments.of("userIds with a number", ok.copy().put("userId", null).put("userIds", new JsonArray().add("a").add(3)), "userIds[1]"),
        Arguments.of("userIds over 10,000", ok.copy().put("userId", null).put("userIds", tooMany), "userIds"),
        Arguments.of("unknown userRole", ok.copy().put("userId", null).put("userRole", "ROOT"), "userRole"),
        Arguments.of("missing type", ok.copy().put("type", null), "type"),
        Arguments.of("unknown type", ok.copy().put("type", "SPAM"), "type"),
        Arguments.of("unknown priority", ok.copy().put("priority", "CRITICAL"), "priority"),
        Arguments.of("missing title", ok.copy().put("title", null), "title"),
        Arguments.of("empty title", ok.copy().put("title", ""), "title"),
        Arguments.of("title of 256 characters", ok.copy().put("title", "t".repeat(256)), "title"),
        Arguments.of("title not a string", ok.copy().put("title", new JsonObject()), "title"),
        Arguments.of("missing message", ok.copy().put("message", null), "message"),
        Arguments.of("message of 1001 characters", ok.copy().put("message", "m".repeat(1001)), "message"),
        Arguments.of("javascript: actionUrl", ok.copy().put("actionUrl", "javascript:alert(1)"), "actionUrl"),
        Arguments.of("scheme-relative actionUrl", ok.copy().put("actionUrl", "//evil.example/x"), "actionUrl"),
        Arguments.of("data: actionUrl", ok.copy().put("actionUrl", "data:text/html,<script>alert(1)</script>"), "actionUrl"),
        Arguments.of("backslash actionUrl", ok.copy().put("actionUrl", "/\\evil.example"), "actionUrl"),
        Arguments.of("relative actionUrl", ok.copy().put("actionUrl", "licenses/1"), "actionUrl"),
        Arguments.of("metadata not an object", ok.copy().put("metadata", new JsonArray().add(1)), "metadata"),
        Arguments.of("metadata over 16 KiB", ok.copy().put("metadata", new JsonObject().put("blob", big)), "metadata"));
  }

  @ParameterizedTest(name = "{0} gets 400 naming {2}")
  @MethodSource("invalidCreates")
  @DisplayName("Invalid creates get 400 naming the field, and create nothing")
  void invalidCreate(String what, JsonObject body, String field) throws Exception {
    long before = rows("true");
    Resp r = app.post("/api/v1/notifications", admin, body.encode());
    assertThat(r.status()).as(what + ": " + r).isEqualTo(400);
    assertThat(r.json().getString("code")).isEqualTo("VALIDATION_FAILED");
    assertThat(r.json().getString("detail")).as(what).contains(field);
    assertThat(rows("true")).isEqualTo(before);
  }

  @Test
  @DisplayName("Accepted edge values: 255-character title, 1000-character message, https URL, 16 KiB metadata")
  void edgeValuesAccepted() {
    User u = user("VIEWER");
    String blob = "x".repeat(16 * 1024 - "{\"b\":\"\"}".length());
    Resp r = app.post("/api/v1/notifications", admin, new JsonObject().put("userId", u.id()).put("type", "ROYALTY")
        .put("title", "é".repeat(255)).put("message", "m".repeat(1000)).put("priority", "URGENT")
        .put("actionUrl", "https://app.example.com/royalties?period=2024-01#top")
        .put("metadata", new JsonObject().put("b", blob)).encode());
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"CREATOR", "BRAND", "VIEWER", "SERVICE"})
  @DisplayName("Only admins create notifications")
  void nonAdminCannotCreate(String role) {
    User u = user(role);
    Resp r = app.post("/api/v1/notifications", u.token(), notification("x").put("userId", u.id()).encode());
    assertThat(r.status()).isEqualTo(403);
  }

  @Test
  @DisplayName("Lists filter by read, type and priority, newest first, with page and pageSize")
  void listFiltersAndPages() {
    User u = user("CREATOR");
    List<String> created = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      created.add(createFor(u, notification("n" + i).put("type", i % 2 == 0 ? "LICENSE" : "PAYOUT")
          .put("priority", i == 4 ? "HIGH" : "LOW")));
    }
    app.post("/api/v1/notifications/" + created.get(0) + "/read", u.token(), null);

    List<String> newestFirst = new ArrayList<>(created);
    java.util.Collections.reverse(newestFirst);
    assertThat(ids(app.get("/api/v1/notifications", u.token()))).containsExactlyElementsOf(newestFirst);
    assertThat(ids(app.get("/api/v1/notifications?type=LICENSE", u.token())))
        .containsExactly(created.get(4), created.get(2), created.get(0));
    assertThat(ids(app.get("/api/v1/notifications?priority=HIGH", u.token()))).containsExactly(created.get(4));
    assertThat(ids(app.get("/api/v1/notifications?read=true", u.token()))).containsExactly(created.get(0));
    assertThat(ids(app.get("/api/v1/notifications?read=false&type=LICENSE", u.token())))
        .containsExactly(created.get(4), created.get(2));

    Resp page2 = app.get("/api/v1/notifications?page=2&pageSize=2", u.token());
    assertThat(ids(page2)).containsExactly(created.get(2), created.get(1));
    assertThat(page2.json().getJsonObject("meta").getJsonObject("pagination"))
        .isEqualTo(new JsonObject().put("page", 2).put("pageSize", 2).put("total", 5).put("totalPages", 3));
    assertThat(ids(app.get("/api/v1/notifications?page=4&pageSize=2", u.token()))).isEmpty();
  }

  @ParameterizedTest(name = "?{0} gets 400 naming {1}")
  @MethodSource("badQueries")
  @DisplayName("Bad list parameters get 400 naming the parameter")
  void badListParameters(String query, String field) {
    User u = user("VIEWER");
    Resp r = app.get("/api/v1/notifications?" + query, u.token());
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(r.json().getString("detail")).contains(field);
  }

  static Stream<Arguments> badQueries() {
    return Stream.of(
        Arguments.of("pageSize=0", "pageSize"), Arguments.of("pageSize=101", "pageSize"),
        Arguments.of("pageSize=abc", "pageSize"), Arguments.of("page=0", "page"), Arguments.of("page=-1", "page"),
        Arguments.of("read=maybe", "read"), Arguments.of("type=SPAM", "type"), Arguments.of("priority=LOUD", "priority"),
        Arguments.of("after=x&page=1", "after"));
  }

  @Test
  @DisplayName("after=<id> returns only the caller's newer notifications; an unknown or foreign id is 404")
  void catchUpAfter() {
    User u = user("VIEWER");
    User other = user("VIEWER");
    String first = createFor(u, notification("first"));
    String second = createFor(u, notification("second"));
    String third = createFor(u, notification("third"));
    String foreign = createFor(other, notification("not yours"));

    Resp r = app.get("/api/v1/notifications?after=" + first, u.token());
    assertThat(r.status()).isEqualTo(200);
    assertThat(ids(r)).containsExactly(third, second);
    assertThat(r.json().getJsonObject("meta").getString("after")).isEqualTo(first);
    assertThat(r.json().getJsonObject("meta").getJsonObject("pagination").getLong("total")).isEqualTo(2);
    assertThat(ids(app.get("/api/v1/notifications?after=" + third, u.token()))).isEmpty();

    Resp limited = app.get("/api/v1/notifications?pageSize=1&after=" + first, u.token());
    assertThat(ids(limited)).containsExactly(third);
    assertThat(limited.json().getJsonObject("meta").getJsonObject("pagination").getLong("total")).isEqualTo(2);

    assertThat(app.get("/api/v1/notifications?after=no-such-id", u.token()).status()).isEqualTo(404);
    Resp theirs = app.get("/api/v1/notifications?after=" + foreign, u.token());
    assertThat(theirs.status()).isEqualTo(404);
    assertThat(theirs.json().getString("code")).isEqualTo("NOT_FOUND");
  }

  @Test
  @DisplayName("Marking read answers {id, read, readAt}, is idempotent, and counts down once")
  void markReadIsIdempotent() {
    User u = user("VIEWER");
    String id = createFor(u, notification("a"));
    createFor(u, notification("b"));
    assertThat(unread(u)).isEqualTo(2);

    Resp first = app.post("/api/v1/notifications/" + id + "/read", u.token(), null);
    assertThat(first.status()).as(first.toString()).isEqualTo(200);
    assertThat(first.data().fieldNames()).containsExactlyInAnyOrder("id", "read", "readAt");
    assertThat(first.data().getString("id")).isEqualTo(id);
    assertThat(first.data().getBoolean("read")).isTrue();
    assertThat(first.data().getString("readAt")).isNotNull();
    Resp again = app.post("/api/v1/notifications/" + id + "/read", u.token(), null);
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.data()).isEqualTo(first.data());
    assertThat(unread(u)).isEqualTo(1);
  }

  @Test
  @DisplayName("Another user's notification is 404 for read and delete, and never listed")
  void othersNotificationsAreInvisible() throws Exception {
    User owner = user("CREATOR");
    User intruder = user("CREATOR");
    String id = createFor(owner, notification("private"));
    Resp unknown = app.post("/api/v1/notifications/no-such-id/read", intruder.token(), null);

    Resp read = app.post("/api/v1/notifications/" + id + "/read", intruder.token(), null);
    assertThat(read.status()).isEqualTo(404);
    assertThat(read.json().getString("code")).isEqualTo("NOT_FOUND");
    assertThat(read.json().getString("title")).isEqualTo(unknown.json().getString("title"));
    assertThat(app.delete("/api/v1/notifications/" + id, intruder.token()).status()).isEqualTo(404);
    assertThat(app.delete("/api/v1/notifications/no-such-id", intruder.token()).status()).isEqualTo(404);
    assertThat(ids(app.get("/api/v1/notifications", intruder.token()))).isEmpty();
    assertThat(app.post("/api/v1/notifications/read-all", intruder.token(), null).data().getInteger("updated")).isZero();
    // An admin is no exception: the inbox is the caller's own.
    assertThat(app.post("/api/v1/notifications/" + id + "/read", admin, null).status()).isEqualTo(404);

    assertThat(rows("id = '" + id + "' AND NOT read")).isEqualTo(1);
    assertThat(unread(owner)).isEqualTo(1);
  }

  @Test
  @DisplayName("read-all marks every unread notification and answers how many")
  void readAll() {
    User u = user("BRAND");
    String a = createFor(u, notification("a"));
    createFor(u, notification("b"));
    createFor(u, notification("c"));
    app.post("/api/v1/notifications/" + a + "/read", u.token(), null);

    Resp r = app.post("/api/v1/notifications/read-all", u.token(), null);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.data()).isEqualTo(new JsonObject().put("updated", 2));
    assertThat(unread(u)).isZero();
    assertThat(ids(app.get("/api/v1/notifications?read=false", u.token()))).isEmpty();
    assertThat(app.post("/api/v1/notifications/read-all", u.token(), null).data().getInteger("updated")).isZero();
  }

  @Test
  @DisplayName("Deleting answers 204, then 404; deleting an unread one counts down")
  void delete() {
    User u = user("VIEWER");
    String unreadOne = createFor(u, notification("a"));
    String readOne = createFor(u, notification("b"));
    app.post("/api/v1/notifications/" + readOne + "/read", u.token(), null);
    assertThat(unread(u)).isEqualTo(1);

    Resp r = app.delete("/api/v1/notifications/" + readOne, u.token());
    assertThat(r.status()).isEqualTo(204);
    assertThat(r.body()).isEmpty();
    assertThat(unread(u)).isEqualTo(1);
    assertThat(app.delete("/api/v1/notifications/" + unreadOne, u.token()).status()).isEqualTo(204);
    assertThat(unread(u)).isZero();
    assertThat(app.delete("/api/v1/notifications/" + unreadOne, u.token()).status()).isEqualTo(404);
    assertThat(ids(app.get("/api/v1/notifications", u.token()))).isEmpty();
  }

  @Test
  @DisplayName("Creation and mark-as-read are rate limited per caller with 429 and Retry-After")
  void rateLimits() {
    try (TestApp limited = TestApp.start(Map.of(), new JsonObject().put("rateLimits",
        new JsonObject().put("notificationCreatesPerHour", 2).put("markReadPerMinute", 3)))) {
      String boss = limited.token("boss-" + UUID.randomUUID(), "ADMIN");
      String otherBoss = limited.token("boss-" + UUID.randomUUID(), "ADMIN");
      String uid = "u-" + UUID.randomUUID();
      limited.put("/api/v1/users/" + uid, boss, "{\"role\":\"VIEWER\"}");
      String body = notification("x").put("userId", uid).encode();
      String id = limited.post("/api/v1/notifications", boss, body).data().getJsonArray("notificationIds").getString(0);
      // A refused (invalid) create is not counted.
      assertThat(limited.post("/api/v1/notifications", boss, "{}").status()).isEqualTo(400);
      assertThat(limited.post("/api/v1/notifications", boss, body).status()).isEqualTo(201);
      Resp third = limited.post("/api/v1/notifications", boss, body);
      assertThat(third.status()).isEqualTo(429);
      assertThat(third.json().getString("code")).isEqualTo("RATE_LIMITED");
      assertThat(Long.parseLong(third.header("Retry-After"))).isBetween(1L, 3600L);
      assertThat(limited.post("/api/v1/notifications", otherBoss, body).status()).isEqualTo(201);

      String token = limited.token(uid, "VIEWER");
      for (int i = 0; i < 2; i++) {
        assertThat(limited.post("/api/v1/notifications/" + id + "/read", token, null).status()).isEqualTo(200);
      }
      assertThat(limited.post("/api/v1/notifications/read-all", token, null).status()).isEqualTo(200);
      Resp limitedMark = limited.post("/api/v1/notifications/" + id + "/read", token, null);
      assertThat(limitedMark.status()).isEqualTo(429);
      assertThat(Long.parseLong(limitedMark.header("Retry-After"))).isBetween(1L, 60L);
    }
  }
}
