package dev.systemtables.notifications;

import dev.systemtables.testing.Resp;
import dev.systemtables.testing.TestApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Before and after sending: the recipient count and the send log")
class NotificationSendsTest {

  static TestApp app;
  static String admin;
  static String tag;

  @BeforeAll
  static void start() {
    app = TestApp.start();
    admin = app.token("admin-sends", "ADMIN");
    tag = "n" + UUID.randomUUID().toString().substring(0, 8);
    JsonArray users = new JsonArray();
    for (int i = 0; i < 30; i++) users.add(new JsonObject().put("id", tag + "-" + i).put("role", "BRAND"));
    assertThat(app.put("/api/v1/users", admin, new JsonObject().put("users", users).encode()).status()).isEqualTo(200);
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  static JsonObject content(String title) {
    return new JsonObject().put("type", "SYSTEM").put("priority", "HIGH").put("title", title).put("message", "m")
        .put("actionUrl", "/status").put("metadata", new JsonObject().put("ticket", 7));
  }

  @Test
  @DisplayName("POST /notifications/recipients counts a role's holders and the known listed users, naming unknown ones")
  void countsRecipients() {
    Resp role = app.post("/api/v1/notifications/recipients", admin, "{\"userRole\":\"BRAND\"}");
    assertThat(role.status()).as(role.toString()).isEqualTo(200);
    assertThat(role.data()).isEqualTo(new JsonObject().put("count", 30).put("unknownUserIds", new JsonArray()));

    Resp listed = app.post("/api/v1/notifications/recipients", admin, new JsonObject()
        .put("userIds", new JsonArray().add(tag + "-1").add(tag + "-2").add(tag + "-1").add("ghost-" + tag)).encode());
    assertThat(listed.data()).isEqualTo(new JsonObject().put("count", 2)
        .put("unknownUserIds", new JsonArray().add("ghost-" + tag)));

    Resp nobody = app.post("/api/v1/notifications/recipients", admin, "{\"userRole\":\"VIEWER\"}");
    assertThat(nobody.data().getLong("count")).isZero();
  }

  @Test
  @DisplayName("The recipient count refuses bad recipients naming the field, and non-admins")
  void countRefusals() {
    assertThat(app.post("/api/v1/notifications/recipients", admin, "{}").json().getString("detail"))
        .contains("exactly one of userId, userIds, userRole");
    assertThat(app.post("/api/v1/notifications/recipients", admin, "{\"userRole\":\"KING\"}").json()
        .getString("detail")).startsWith("userRole ");
    assertThat(app.post("/api/v1/notifications/recipients", app.token("b", "BRAND"), "{\"userRole\":\"BRAND\"}")
        .status()).isEqualTo(403);
  }

  @Test
  @DisplayName("GET /notifications/sent lists each create once, newest first, with who sent it and how many got it")
  void sendLog() {
    String roleTitle = "role broadcast " + tag;
    assertThat(app.post("/api/v1/notifications", admin, content(roleTitle).put("userRole", "BRAND").encode())
        .status()).isEqualTo(201);
    String listTitle = "listed " + tag;
    String other = app.token("admin-other", "ADMIN");
    assertThat(app.post("/api/v1/notifications", other, content(listTitle)
        .put("userIds", new JsonArray().add(tag + "-3").add(tag + "-4")).encode()).status()).isEqualTo(201);
    // A refused create (unknown user) leaves no entry.
    assertThat(app.post("/api/v1/notifications", admin, content("refused " + tag)
        .put("userId", "ghost-" + tag).encode()).status()).isEqualTo(422);

    Resp sent = app.get("/api/v1/notifications/sent?pageSize=2", admin);
    assertThat(sent.status()).as(sent.toString()).isEqualTo(200);
    JsonArray items = sent.json().getJsonArray("data");
    assertThat(items).hasSize(2);
    JsonObject newest = items.getJsonObject(0);
    assertThat(newest.getString("title")).isEqualTo(listTitle);
    assertThat(newest.getString("sentBy")).isEqualTo("admin-other");
    assertThat(newest.getInteger("created")).isEqualTo(2);
    assertThat(newest.getJsonObject("recipients")).isEqualTo(new JsonObject()
        .put("userIds", new JsonArray().add(tag + "-3").add(tag + "-4")).put("listed", 2));
    JsonObject broadcast = items.getJsonObject(1);
    assertThat(broadcast.getString("title")).isEqualTo(roleTitle);
    assertThat(broadcast.getString("sentBy")).isEqualTo("admin-sends");
    assertThat(broadcast.getInteger("created")).isEqualTo(30);
    assertThat(broadcast.getJsonObject("recipients")).isEqualTo(new JsonObject().put("userRole", "BRAND").put("holders", 30));
    assertThat(broadcast.getJsonObject("metadata")).isEqualTo(new JsonObject().put("ticket", 7));
    assertThat(broadcast.getString("actionUrl")).isEqualTo("/status");
    assertThat(sent.json().getJsonObject("meta").getJsonObject("pagination").getLong("total")).isEqualTo(2);

    assertThat(app.get("/api/v1/notifications/sent?pageSize=101", admin).json().getString("detail"))
        .startsWith("pageSize ");
    assertThat(app.get("/api/v1/notifications/sent", app.token("b", "BRAND")).status()).isEqualTo(403);
  }
}
