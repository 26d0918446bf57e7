package dev.systemtables.users;

import dev.systemtables.testing.Resp;
import dev.systemtables.testing.TestApp;
import dev.systemtables.testing.TestDatabases;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Users directory: admins upsert users, callers are recorded from their tokens")
class UsersDirectoryTest {

  static TestApp app;
  static String admin;

  @BeforeAll
  static void start() {
    app = TestApp.start();
    admin = app.token("admin-1", "ADMIN");
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  static String uid() {
    return "u-" + UUID.randomUUID();
  }

  static JsonObject row(String id) throws Exception {
    try (Connection c = TestDatabases.jdbc(app.databaseUrl()); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT id, role, brand_id, creator_id, email FROM users WHERE id = '" + id + "'")) {
      if (!rs.next()) return null;
      return new JsonObject().put("id", rs.getString(1)).put("role", rs.getString(2))
          .put("brandId", rs.getString(3)).put("creatorId", rs.getString(4)).put("email", rs.getString(5));
    }
  }

  static long count(String where) throws Exception {
    try (Connection c = TestDatabases.jdbc(app.databaseUrl()); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT count(*) FROM users WHERE " + where)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  @DisplayName("PUT /users/{id} creates a user, a second PUT updates it")
  void upsertOne() throws Exception {
    String id = uid();
    Resp created = app.put("/api/v1/users/" + id, admin, "{\"role\":\"CREATOR\",\"creatorId\":\"c1\",\"email\":\"a@example.com\"}");
    assertThat(created.status()).isEqualTo(200);
    assertThat(created.data().getString("id")).isEqualTo(id);
    assertThat(created.data().getString("role")).isEqualTo("CREATOR");

    Resp updated = app.put("/api/v1/users/" + id, admin, "{\"role\":\"BRAND\",\"brandId\":\"b9\"}");
    assertThat(updated.status()).isEqualTo(200);
    assertThat(row(id)).isEqualTo(new JsonObject().put("id", id).put("role", "BRAND").put("brandId", "b9")
        .putNull("creatorId").putNull("email"));
  }

  @Test
  @DisplayName("PUT /users upserts 10,000 users in one call and refuses 10,001")
  void bulkUpsert() throws Exception {
    String prefix = "bulk-" + UUID.randomUUID() + "-";
    JsonArray users = new JsonArray();
    for (int i = 0; i < 10_000; i++) {
      users.add(new JsonObject().put("id", prefix + i).put("role", i % 2 == 0 ? "VIEWER" : "CREATOR"));
    }
    Resp r = app.put("/api/v1/users", admin, new JsonObject().put("users", users).encode());
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.data().getInteger("upserted")).isEqualTo(10_000);
    assertThat(count("id LIKE '" + prefix + "%'")).isEqualTo(10_000);
    assertThat(count("id LIKE '" + prefix + "%' AND role = 'CREATOR'")).isEqualTo(5_000);

    users.add(new JsonObject().put("id", prefix + "extra").put("role", "VIEWER"));
    Resp tooMany = app.put("/api/v1/users", admin, new JsonObject().put("users", users).encode());
    assertThat(tooMany.status()).isEqualTo(400);
    assertThat(tooMany.json().getString("detail")).contains("users");
    assertThat(count("id = '" + prefix + "extra'")).isZero();
  }

  @Test
  @DisplayName("Bad users are refused with a 400 naming the field, and nothing is written")
  void bulkValidation() throws Exception {
    String id = uid();
    Resp r = app.put("/api/v1/users", admin,
        "{\"users\":[{\"id\":\"" + id + "\",\"role\":\"VIEWER\"},{\"id\":\"x2\",\"role\":\"KING\"}]}");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().getString("detail")).contains("users[1].role");
    assertThat(row(id)).isNull();

    Resp dup = app.put("/api/v1/users", admin,
        "{\"users\":[{\"id\":\"d\",\"role\":\"VIEWER\"},{\"id\":\"d\",\"role\":\"VIEWER\"}]}");
    assertThat(dup.status()).isEqualTo(400);
    assertThat(dup.json().getString("detail")).contains("users[1].id");

    Resp noRole = app.put("/api/v1/users/" + id, admin, "{}");
    assertThat(noRole.status()).isEqualTo(400);
    assertThat(noRole.json().getString("detail")).contains("role");

    Resp badEmail = app.put("/api/v1/users/" + id, admin, "{\"role\":\"VIEWER\",\"email\":\"nope\"}");
    assertThat(badEmail.status()).isEqualTo(400);
    assertThat(badEmail.json().getString("detail")).contains("email");
  }

  @Test
  @DisplayName("A caller is recorded on first sight and written again only when its token changes")
  void callersAreRecordedOnceUntilTheyChange() throws Exception {
    String id = uid();
    assertThat(app.get("/api/v1/me", app.token(id, "VIEWER")).status()).isEqualTo(200);
    assertThat(row(id)).isEqualTo(new JsonObject().put("id", id).put("role", "VIEWER")
        .putNull("brandId").putNull("creatorId").putNull("email"));

    // Remove the row behind the node's back: a node that remembers the caller does not write again.
    TestDatabases.execute(app.databaseUrl(), "DELETE FROM users WHERE id = '" + id + "'");
    assertThat(app.get("/api/v1/me", app.token(id, "VIEWER")).status()).isEqualTo(200);
    assertThat(row(id)).as("no database write for a caller already recorded").isNull();

    // A changed token is a change: written again.
    String brandToken = app.token(new JsonObject().put("sub", id).put("role", "BRAND").put("brandId", "b1"));
    assertThat(app.get("/api/v1/me", brandToken).status()).isEqualTo(200);
    assertThat(row(id)).isEqualTo(new JsonObject().put("id", id).put("role", "BRAND")
        .put("brandId", "b1").putNull("creatorId").putNull("email"));
  }

  @Test
  @DisplayName("Recording a caller keeps the email an admin gave")
  void recordingKeepsEmail() throws Exception {
    String id = uid();
    app.put("/api/v1/users/" + id, admin, "{\"role\":\"VIEWER\",\"email\":\"v@example.com\"}");
    app.get("/api/v1/me", app.token(id, "CREATOR"));
    assertThat(row(id).getString("role")).isEqualTo("CREATOR");
    assertThat(row(id).getString("email")).isEqualTo("v@example.com");
  }

  @Test
  @DisplayName("A SERVICE token is a caller like any other: recorded with its role, set and found by admins, refused admin calls")
  void serviceRole() throws Exception {
    String id = "svc-" + UUID.randomUUID();
    String service = app.token(id, "SERVICE");
    Resp me = app.get("/api/v1/me", service);
    assertThat(me.status()).as(me.toString()).isEqualTo(200);
    assertThat(me.data().getString("role")).isEqualTo("SERVICE");
    assertThat(row(id).getString("role")).isEqualTo("SERVICE");

    String other = uid();
    assertThat(app.put("/api/v1/users/" + other, admin, "{\"role\":\"SERVICE\"}").status()).isEqualTo(200);
    assertThat(row(other).getString("role")).isEqualTo("SERVICE");
    Resp found = app.get("/api/v1/users?q=" + other + "&role=SERVICE", admin);
    assertThat(found.status()).as(found.toString()).isEqualTo(200);
    assertThat(found.json().getJsonArray("data").getJsonObject(0).getString("id")).isEqualTo(other);

    Resp adminCall = app.put("/api/v1/users/" + uid(), service, "{\"role\":\"VIEWER\"}");
    assertThat(adminCall.status()).isEqualTo(403);
  }
}
