package dev.systemtables.http;

import dev.systemtables.testing.HttpNode;
import dev.systemtables.testing.Resp;
import dev.systemtables.testing.TestApp;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("JSON bodies are read exactly as RFC 8259 writes them: anything else is a 400 naming where it is")
class StrictJsonBodiesTest {

  static TestApp app;
  static String admin;
  static String recipient;

  @BeforeAll
  static void start() {
    app = TestApp.start();
    admin = app.token("admin-sj", "ADMIN");
    recipient = "sj-" + UUID.randomUUID();
    assertThat(app.put("/api/v1/users/" + recipient, admin, "{\"role\":\"CREATOR\"}").status()).isEqualTo(200);
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  static void assertProblem(Resp r, String code, String names) {
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(r.header("Content-Type")).isEqualTo("application/problem+json");
    assertThat(r.json().getString("code")).isEqualTo(code);
    assertThat(r.json().getString("detail")).contains(names);
  }

  /** A notification create body with this text spliced in as the value of {@code metadata}. */
  static String withMetadata(String metadataJson) {
    return "{\"userId\":\"" + recipient + "\",\"type\":\"SYSTEM\",\"title\":\"t\",\"message\":\"m\",\"metadata\":"
        + metadataJson + "}";
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
      "{\"role\":\"VIEWER\" /* a comment */}",
      "{\"role\":\"VIEWER\"} // a comment",
      "# yaml comment\n{\"role\":\"VIEWER\"}",
      "{'role':'VIEWER'}",
      "{role:\"VIEWER\"}",
      "{\"role\":\"VIEWER\",}",
      "{\"role\":\"VIEWER\",\"email\":NaN}",
      "{\"role\":\"VIEWER\",\"n\":012}",
      "{\"role\":\"VIEWER\"} {}",
      "{\"role\":\"VIEWER\",\"role\":\"ADMIN\"}"})
  @DisplayName("Comments and other non-standard syntax, trailing values and duplicate members are 400 MALFORMED_JSON")
  void nonStandardSyntax(String body) {
    assertProblem(app.put("/api/v1/users/x-" + UUID.randomUUID(), admin, body), "MALFORMED_JSON", "body");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"1e400", "-1e400", "1e-400", "-2.5e-330"})
  @DisplayName("A number beyond a double, or one that would underflow to zero, is a 400 naming the field")
  void numbersOutOfRange(String number) {
    assertProblem(app.post("/api/v1/notifications", admin, withMetadata("{\"amount\":" + number + "}")),
        "VALIDATION_FAILED", "metadata.amount");
    assertProblem(app.post("/api/v1/notifications", admin, withMetadata("{\"list\":[1," + number + "]}")),
        "VALIDATION_FAILED", "metadata.list[1]");
    assertProblem(app.post("/api/v1/flags/evaluate", admin, "{\"context\":{\"score\":" + number + "}}"),
        "VALIDATION_FAILED", "context.score");
  }

  @Test
  @DisplayName("An integer literal beyond a double's range is refused like 1e400")
  void hugeIntegerLiteral() {
    assertProblem(app.post("/api/v1/notifications", admin, withMetadata("{\"n\":1" + "0".repeat(400) + "}")),
        "VALIDATION_FAILED", "metadata.n");
  }

  @Test
  @DisplayName("Idempotency response bodies are held to the same rule, and nothing is stored")
  void idempotencyResponseBody() {
    String key = "sj-" + UUID.randomUUID();
    assertThat(app.post("/api/v1/idempotency", admin, "{\"key\":\"" + key + "\",\"entityType\":\"t\",\"requestHash\":\"h\"}")
        .status()).isEqualTo(201);
    assertProblem(app.post("/api/v1/idempotency/" + key + "/complete", admin,
        "{\"responseStatus\":201,\"responseBody\":{\"total\":1e400}}"), "VALIDATION_FAILED", "responseBody.total");
    Resp ok = app.post("/api/v1/idempotency/" + key + "/complete", admin,
        "{\"responseStatus\":201,\"responseBody\":{\"total\":1e308,\"zero\":0.0e-999,\"neg\":-0}}");
    assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
    assertThat(ok.data().getJsonObject("responseBody").getDouble("total")).isEqualTo(1e308);
  }

  @Test
  @DisplayName("A lone UTF-16 surrogate in any string or member name is a 400 naming where it is")
  void loneSurrogates() {
    assertProblem(app.post("/api/v1/notifications", admin,
            "{\"userId\":\"" + recipient + "\",\"type\":\"SYSTEM\",\"title\":\"caf\\ud800\",\"message\":\"m\"}"),
        "VALIDATION_FAILED", "title");
    assertProblem(app.post("/api/v1/notifications", admin, withMetadata("{\"k\\udc00\":1}")),
        "VALIDATION_FAILED", "metadata.k");
    assertProblem(app.put("/api/v1/users/x", admin, "{\"role\":\"VIEWER\",\"email\":\"\\udbff\"}"),
        "VALIDATION_FAILED", "email");
  }

  @Test
  @DisplayName("Escaped surrogate pairs (an emoji) are fine and stored exactly")
  void surrogatePairsAreFine() {
    Resp r = app.post("/api/v1/notifications", admin,
        "{\"userId\":\"" + recipient + "\",\"type\":\"SYSTEM\",\"title\":\"bell \\ud83d\\udd14\",\"message\":\"m\"}");
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    Resp list = app.get("/api/v1/notifications", app.token(recipient, "CREATOR"));
    assertThat(list.json().getJsonArray("data").getJsonObject(0).getString("title")).isEqualTo("bell \uD83D\uDD14");
  }

  @Test
  @DisplayName("A body that is not UTF-8 is a 400 naming the body, not silently decoded to U+FFFD")
  void notUtf8() throws Exception {
    byte[] body = "{\"role\":\"VIEWER\",\"email\":\"a\u00e9@b.c\"}".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    HttpResponse<String> r = HttpNode.HTTP.send(HttpRequest.newBuilder(URI.create(app.baseUrl() + "/api/v1/users/x"))
        .header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(r.body()).getString("detail")).contains("body").contains("UTF-8");
  }
}
