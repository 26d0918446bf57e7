package dev.systemtables.http;

import dev.systemtables.testing.Resp;
import dev.systemtables.testing.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Errors: RFC 9457 problem bodies with a stable code, never a stack trace")
class ProblemsTest {

  static TestApp app;
  static String admin;

  @BeforeAll
  static void start() {
    app = TestApp.start();
    admin = app.token("admin-p", "ADMIN");
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  static void assertProblem(Resp r, int status, String code) {
    assertThat(r.status()).as(r.toString()).isEqualTo(status);
    assertThat(r.header("Content-Type")).isEqualTo("application/problem+json");
    assertThat(r.json().fieldNames()).contains("type", "title", "status", "detail", "code");
    assertThat(r.json().getInteger("status")).isEqualTo(status);
    assertThat(r.json().getString("code")).isEqualTo(code);
    assertThat(r.body()).doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  @DisplayName("Malformed JSON is a 400 naming the body")
  void malformedJson() {
    Resp r = app.put("/api/v1/users/x", admin, "{\"role\": ");
    assertProblem(r, 400, "MALFORMED_JSON");
    assertThat(r.json().getString("detail")).contains("body");
  }

  @Test
  @DisplayName("A JSON array where an object is expected is a 400 naming the body")
  void nonObjectBody() {
    Resp r = app.put("/api/v1/users/x", admin, "[1,2]");
    assertProblem(r, 400, "VALIDATION_FAILED");
    assertThat(r.json().getString("detail")).contains("body");
  }

  @Test
  @DisplayName("A wrong type is a 400 naming the field")
  void wrongType() {
    Resp r = app.put("/api/v1/users/x", admin, "{\"role\": 42}");
    assertProblem(r, 400, "VALIDATION_FAILED");
    assertThat(r.json().getString("detail")).contains("role");

    Resp bulk = app.put("/api/v1/users", admin, "{\"users\": \"everyone\"}");
    assertProblem(bulk, 400, "VALIDATION_FAILED");
    assertThat(bulk.json().getString("detail")).contains("users");
  }

  @Test
  @DisplayName("A body over 1 MiB gets 413")
  void tooLarge() {
    String big = "{\"role\":\"VIEWER\",\"email\":\"" + "a".repeat(1_100_000) + "\"}";
    assertProblem(app.put("/api/v1/users/x", admin, big), 413, "PAYLOAD_TOO_LARGE");
  }

  @Test
  @DisplayName("An unknown route is a 404 problem, inside and outside /api/v1")
  void unknownRoute() {
    assertProblem(app.get("/api/v1/nothing-here", admin), 404, "NOT_FOUND");
    assertProblem(app.get("/no/such/page", null), 404, "NOT_FOUND");
  }

  @Test
  @DisplayName("A known path with another method is a 405 problem")
  void wrongMethod() {
    Resp r = app.send("PATCH", "/api/v1/me", admin, null, Map.of());
    assertThat(r.status()).isIn(404, 405);
    assertThat(r.header("Content-Type")).isEqualTo("application/problem+json");
  }

  @Test
  @DisplayName("A NUL character anywhere in a JSON body is a 400 naming where it is")
  void nulCharacter() {
    Resp r = app.put("/api/v1/users/x", admin, "{\"role\":\"VIEWER\",\"email\":\"a\\u0000@b.c\"}");
    assertProblem(r, 400, "VALIDATION_FAILED");
    assertThat(r.json().getString("detail")).contains("email");
  }

  @Test
  @DisplayName("A GET carrying a form body is answered normally, not with a 500")
  void getWithFormBody() {
    Resp r = app.send("GET", "/api/v1/me", admin, "a=1",
        Map.of("Content-Type", "application/x-www-form-urlencoded"));
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
  }

  @Test
  @DisplayName("A NUL character in a path or query parameter is a 400 naming the parameter")
  void nulInParameters() {
    Resp path = app.get("/api/v1/flags/a%00b/audit", admin);
    assertProblem(path, 400, "VALIDATION_FAILED");
    assertThat(path.json().getString("detail")).contains("id");
    Resp query = app.get("/api/v1/me?x=a%00b", admin);
    assertProblem(query, 400, "VALIDATION_FAILED");
    assertThat(query.json().getString("detail")).contains("x");
  }

  @Test
  @DisplayName("A query found valid once does not let a bad value of the same parameter through later")
  void validatedQueriesStayChecked() {
    for (int i = 0; i < 3; i++) {
      assertThat(app.get("/api/v1/notifications?page=1&pageSize=20", admin).status()).isEqualTo(200);
      Resp bad = app.get("/api/v1/notifications?page=1&pageSize=twenty", admin);
      assertProblem(bad, 400, "VALIDATION_FAILED");
      // The contract's words; the domain's own check, behind it, would add the range.
      assertThat(bad.json().getString("detail")).isEqualTo("pageSize must be an integer");
    }
  }
}
