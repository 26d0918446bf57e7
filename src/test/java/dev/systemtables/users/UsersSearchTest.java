package dev.systemtables.users;

import dev.systemtables.testing.Resp;
import dev.systemtables.testing.TestApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Users directory for the console: search, page, read one, and bulk errors listed per entry")
class UsersSearchTest {

  static TestApp app;
  static String admin;
  static String tag;

  @BeforeAll
  static void start() {
    app = TestApp.start();
    admin = app.token("admin-search", "ADMIN");
    tag = "s" + UUID.randomUUID().toString().substring(0, 8);
    JsonArray users = new JsonArray();
    for (int i = 0; i < 25; i++) {
      users.add(new JsonObject().put("id", tag + "-user-" + String.format("%02d", i))
          .put("role", i % 5 == 0 ? "BRAND" : "CREATOR").put("email", "person" + i + "@" + tag + ".example"));
    }
    users.add(new JsonObject().put("id", tag + "-percent").put("role", "VIEWER").put("brandId", "50%_off"));
    assertThat(app.put("/api/v1/users", admin, new JsonObject().put("users", users).encode()).status()).isEqualTo(200);
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  static String q(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }

  @Test
  @DisplayName("GET /users?q= finds users by a case-insensitive part of their id or email, in pages ordered by id")
  void searchAndPage() {
    Resp first = app.get("/api/v1/users?q=" + q(tag.toUpperCase() + "-USER") + "&pageSize=10", admin);
    assertThat(first.status()).as(first.toString()).isEqualTo(200);
    assertThat(first.json().getJsonArray("data")).hasSize(10);
    assertThat(first.json().getJsonArray("data").getJsonObject(0).getString("id")).isEqualTo(tag + "-user-00");
    assertThat(first.json().getJsonObject("meta").getJsonObject("pagination")).isEqualTo(new JsonObject()
        .put("page", 1).put("pageSize", 10).put("total", 25).put("totalPages", 3));

    Resp last = app.get("/api/v1/users?q=" + q(tag + "-user") + "&pageSize=10&page=3", admin);
    assertThat(last.json().getJsonArray("data")).extracting(o -> ((JsonObject) o).getString("id"))
        .containsExactly(tag + "-user-20", tag + "-user-21", tag + "-user-22", tag + "-user-23", tag + "-user-24");

    Resp byEmail = app.get("/api/v1/users?q=" + q("person7@" + tag), admin);
    assertThat(byEmail.json().getJsonArray("data")).extracting(o -> ((JsonObject) o).getString("id"))
        .containsExactly(tag + "-user-07");
  }

  @Test
  @DisplayName("A role filter narrows the search, and % or _ in the text match only themselves")
  void roleAndWildcards() {
    Resp brands = app.get("/api/v1/users?q=" + q(tag) + "&role=BRAND", admin);
    assertThat(brands.json().getJsonObject("meta").getJsonObject("pagination").getLong("total")).isEqualTo(5);

    Resp percent = app.get("/api/v1/users?q=" + q("50%_"), admin);
    assertThat(percent.json().getJsonArray("data")).extracting(o -> ((JsonObject) o).getString("id"))
        .containsExactly(tag + "-percent");
    assertThat(app.get("/api/v1/users?q=" + q(tag + "%user"), admin).json().getJsonArray("data")).isEmpty();
  }

  @Test
  @DisplayName("GET /users/{id} answers one user, 404 for an unknown id; non-admins get 403")
  void readOne() {
    Resp one = app.get("/api/v1/users/" + tag + "-user-03", admin);
    assertThat(one.status()).isEqualTo(200);
    assertThat(one.data().getString("email")).isEqualTo("person3@" + tag + ".example");
    assertThat(app.get("/api/v1/users/nobody-" + tag, admin).status()).isEqualTo(404);
    assertThat(app.get("/api/v1/users?q=x", app.token("viewer-1", "VIEWER")).status()).isEqualTo(403);
  }

  @Test
  @DisplayName("Bad search parameters are 400s naming the parameter")
  void badParameters() {
    assertThat(app.get("/api/v1/users?role=KING", admin).json().getString("detail")).startsWith("role ");
    assertThat(app.get("/api/v1/users?pageSize=0", admin).json().getString("detail")).startsWith("pageSize ");
    assertThat(app.get("/api/v1/users?page=x", admin).json().getString("detail")).startsWith("page ");
  }

  @Test
  @DisplayName("A bulk upsert with bad entries lists each of them in errors and writes nothing")
  void bulkErrorsListed() {
    String id = tag + "-bulk-ok";
    JsonArray users = new JsonArray()
        .add(new JsonObject().put("id", id).put("role", "VIEWER"))
        .add(new JsonObject().put("id", tag + "-bulk-1").put("role", "KING"))
        .add(new JsonObject().put("id", tag + "-bulk-2").put("role", "VIEWER").put("email", "not an email"))
        .add(new JsonObject().put("id", id).put("role", "VIEWER"));
    Resp r = app.put("/api/v1/users", admin, new JsonObject().put("users", users).encode());
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(r.json().getString("detail")).startsWith("users[1].role").contains("2 more").contains("nothing was written");
    JsonArray errors = r.json().getJsonArray("errors");
    assertThat(errors).extracting(o -> ((JsonObject) o).getInteger("index")).containsExactly(1, 2, 3);
    assertThat(errors.getJsonObject(1).getString("detail")).startsWith("users[2].email");
    assertThat(errors.getJsonObject(2).getString("detail")).startsWith("users[3].id").contains("more than once");
    assertThat(app.get("/api/v1/users/" + id, admin).status()).as("nothing partial").isEqualTo(404);
  }
}
