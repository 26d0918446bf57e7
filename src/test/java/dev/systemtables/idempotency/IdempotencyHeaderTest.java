package dev.systemtables.idempotency;

import dev.systemtables.testing.Resp;
import dev.systemtables.testing.TestApp;
import dev.systemtables.testing.TestDatabases;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Idempotency-Key header: one filter in front of every mutating /api/v1 endpoint")
class IdempotencyHeaderTest {

  static final String HEADER = "Idempotency-Key";
  static TestApp app;
  static String admin;

  @BeforeAll
  static void start() {
    app = TestApp.start();
    admin = app.token("admin-h", "ADMIN");
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  // ---- helpers ----

  static Resp putUser(String id, String body, String key) {
    return app.send("PUT", "/api/v1/users/" + id, admin, body, key == null ? Map.of() : Map.of(HEADER, key));
  }

  static int sql(String statement, Object... args) {
    try (Connection c = TestDatabases.jdbc(app.databaseUrl()); PreparedStatement ps = c.prepareStatement(statement)) {
      for (int i = 0; i < args.length; i++) ps.setObject(i + 1, args[i]);
      return ps.executeUpdate();
    } catch (Exception e) {
      throw new IllegalStateException(statement, e);
    }
  }

  static String text(String query, Object... args) {
    try (Connection c = TestDatabases.jdbc(app.databaseUrl()); PreparedStatement ps = c.prepareStatement(query)) {
      for (int i = 0; i < args.length; i++) ps.setObject(i + 1, args[i]);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? String.valueOf(rs.getObject(1)) : null;
      }
    } catch (Exception e) {
      throw new IllegalStateException(query, e);
    }
  }

  static String email(String userId) {
    return text("SELECT email FROM users WHERE id = ?", userId);
  }

  static String keyState(String key) {
    return text("SELECT CASE WHEN processed THEN 'completed' ELSE 'processing' END FROM idempotency_keys "
        + "WHERE scope = 'admin-h' AND key = ?", key);
  }

  static void assertProblem(Resp r, int status, String code) {
    assertThat(r.status()).as(r.toString()).isEqualTo(status);
    assertThat(r.json().getString("code")).isEqualTo(code);
  }

  // ---- replay ----

  @Test
  @DisplayName("A retry gets the first response byte for byte with Idempotent-Replayed: true, and nothing runs again")
  void replayIsByteIdenticalAndRunsNothing() {
    String body = "{\"role\":\"VIEWER\",\"email\":\"first@example.com\"}";
    Resp first = putUser("u-replay", body, "replay-1");
    assertThat(first.status()).as(first.toString()).isEqualTo(200);
    assertThat(first.header("Idempotent-Replayed")).isNull();
    assertThat(keyState("replay-1")).isEqualTo("completed");

    // Someone changes the row behind the service's back: a re-run would overwrite it.
    sql("UPDATE users SET email = 'changed@example.com', updated_at = now() + interval '1 day' WHERE id = 'u-replay'");

    Resp retry = putUser("u-replay", body, "replay-1");
    assertThat(retry.status()).isEqualTo(200);
    assertThat(retry.body()).isEqualTo(first.body());
    assertThat(retry.header("Idempotent-Replayed")).isEqualTo("true");
    assertThat(retry.header("Content-Type")).isEqualTo("application/json");
    assertThat(email("u-replay")).isEqualTo("changed@example.com");

    // Same request spelled differently (member order, whitespace), and the structured-field form of the key.
    Resp reordered = putUser("u-replay", "{ \"email\" : \"first@example.com\",\n \"role\" : \"VIEWER\" }", "\"replay-1\"");
    assertThat(reordered.status()).isEqualTo(200);
    assertThat(reordered.body()).isEqualTo(first.body());
    assertThat(reordered.header("Idempotent-Replayed")).isEqualTo("true");
    assertThat(email("u-replay")).isEqualTo("changed@example.com");

    // Without the header the endpoint runs as usual.
    Resp plain = putUser("u-replay", body, null);
    assertThat(plain.header("Idempotent-Replayed")).isNull();
    assertThat(email("u-replay")).isEqualTo("first@example.com");
  }

  @Test
  @DisplayName("The same key with another body, path or method is 422 IDEMPOTENCY_KEY_REUSED and runs nothing")
  void mismatchIs422() {
    assertThat(putUser("u-mismatch", "{\"role\":\"VIEWER\"}", "mismatch-1").status()).isEqualTo(200);

    assertProblem(putUser("u-mismatch", "{\"role\":\"BRAND\"}", "mismatch-1"), 422, "IDEMPOTENCY_KEY_REUSED");
    assertProblem(putUser("u-mismatch-other", "{\"role\":\"VIEWER\"}", "mismatch-1"), 422, "IDEMPOTENCY_KEY_REUSED");
    assertProblem(app.send("PUT", "/api/v1/users", admin, "{\"users\":[{\"id\":\"u-mismatch\",\"role\":\"BRAND\"}]}",
        Map.of(HEADER, "mismatch-1")), 422, "IDEMPOTENCY_KEY_REUSED");
    assertThat(text("SELECT role FROM users WHERE id = 'u-mismatch'")).isEqualTo("VIEWER");
    assertThat(text("SELECT count(*) FROM users WHERE id = 'u-mismatch-other'")).isEqualTo("0");
  }

  @Test
  @DisplayName("A retry while the first request is still running gets 409 IDEMPOTENCY_IN_PROGRESS")
  void retryWhileRunningIs409() throws Exception {
    assertThat(putUser("u-busy", "{\"role\":\"VIEWER\"}", null).status()).isEqualTo(200);
    String body = "{\"role\":\"CREATOR\",\"creatorId\":\"c-1\"}";
    HttpClient http = HttpClient.newHttpClient();
    CompletableFuture<HttpResponse<String>> first;
    try (Connection lock = TestDatabases.jdbc(app.databaseUrl())) {
      // Hold the user's row so the first request's upsert blocks inside the endpoint, after its claim.
      lock.setAutoCommit(false);
      try (Statement s = lock.createStatement()) {
        s.execute("SELECT * FROM users WHERE id = 'u-busy' FOR UPDATE");
      }
      first = http.sendAsync(HttpRequest.newBuilder(URI.create(app.baseUrl() + "/api/v1/users/u-busy"))
          .header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
          .header(HEADER, "busy-1").PUT(HttpRequest.BodyPublishers.ofString(body)).build(),
          HttpResponse.BodyHandlers.ofString());
      waitFor(() -> "processing".equals(keyState("busy-1")));

      Resp retry = putUser("u-busy", body, "busy-1");
      assertProblem(retry, 409, "IDEMPOTENCY_IN_PROGRESS");
      assertThat(first).isNotDone();
      lock.rollback();
    }
    HttpResponse<String> done = first.get();
    assertThat(done.statusCode()).isEqualTo(200);
    assertThat(done.headers().firstValue("Idempotent-Replayed")).isEmpty();

    Resp replay = putUser("u-busy", body, "busy-1");
    assertThat(replay.header("Idempotent-Replayed")).isEqualTo("true");
    assertThat(replay.body()).isEqualTo(done.body());
  }

  @Test
  @DisplayName("A 4xx outcome is not stored: the claim is released and a corrected request with the key runs")
  void clientErrorsAreNotStored() {
    Resp bad = putUser("u-4xx", "{\"role\":\"KING\"}", "fix-1");
    assertProblem(bad, 400, "VALIDATION_FAILED");
    assertThat(keyState("fix-1")).isNull();
    Resp malformed = putUser("u-4xx", "{\"role\":", "fix-1");
    assertProblem(malformed, 400, "MALFORMED_JSON");
    assertThat(keyState("fix-1")).isNull();

    Resp fixed = putUser("u-4xx", "{\"role\":\"BRAND\"}", "fix-1");
    assertThat(fixed.status()).as(fixed.toString()).isEqualTo(200);
    assertThat(fixed.header("Idempotent-Replayed")).isNull();
    assertThat(text("SELECT role FROM users WHERE id = 'u-4xx'")).isEqualTo("BRAND");
    assertThat(keyState("fix-1")).isEqualTo("completed");
  }

  @Test
  @DisplayName("A request whose handler crashed (5xx) leaves its claim: 409 until it is stale, then a retry takes it over")
  void crashLeavesAClaimThatGoesStale() {
    String body = "{\"role\":\"VIEWER\",\"email\":\"crash@example.com\"}";
    sql("ALTER TABLE users RENAME TO users_away");
    Resp crashed;
    try {
      crashed = putUser("u-crash", body, "crash-1");
    } finally {
      sql("ALTER TABLE users_away RENAME TO users");
    }
    assertProblem(crashed, 500, "INTERNAL");
    assertThat(keyState("crash-1")).isEqualTo("processing");

    assertProblem(putUser("u-crash", body, "crash-1"), 409, "IDEMPOTENCY_IN_PROGRESS");
    assertThat(email("u-crash")).isNull();

    sql("UPDATE idempotency_keys SET processing_at = now() - interval '301 seconds' WHERE key = 'crash-1'");
    Resp takeOver = putUser("u-crash", body, "crash-1");
    assertThat(takeOver.status()).as(takeOver.toString()).isEqualTo(200);
    assertThat(takeOver.header("Idempotent-Replayed")).isNull();
    assertThat(email("u-crash")).isEqualTo("crash@example.com");

    Resp replay = putUser("u-crash", body, "crash-1");
    assertThat(replay.header("Idempotent-Replayed")).isEqualTo("true");
    assertThat(replay.body()).isEqualTo(takeOver.body());
  }

  @Test
  @DisplayName("An expired record no longer replays: the request runs again under the same key")
  void expiredRecordRunsAgain() {
    String body = "{\"role\":\"VIEWER\",\"email\":\"one@example.com\"}";
    Resp first = putUser("u-expire", body, "expire-1");
    assertThat(first.status()).isEqualTo(200);
    sql("UPDATE users SET email = 'changed@example.com' WHERE id = 'u-expire'");
    sql("UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = 'expire-1'");

    Resp again = putUser("u-expire", body, "expire-1");
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.header("Idempotent-Replayed")).isNull();
    assertThat(email("u-expire")).isEqualTo("one@example.com");
  }

  @Test
  @DisplayName("Concurrent identical requests with one key: one runs, the others get 409 or its replay, no 5xx")
  void concurrentHeaderRequests() {
    HttpClient http = HttpClient.newHttpClient();
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      calls.add(http.sendAsync(HttpRequest.newBuilder(URI.create(app.baseUrl() + "/api/v1/users/u-race"))
          .header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
          .header(HEADER, "race-1").PUT(HttpRequest.BodyPublishers.ofString("{\"role\":\"VIEWER\"}")).build(),
          HttpResponse.BodyHandlers.ofString()));
    }
    List<HttpResponse<String>> responses = calls.stream().map(CompletableFuture::join).toList();
    assertThat(responses).allSatisfy(r -> assertThat(r.statusCode()).isIn(200, 409));
    List<HttpResponse<String>> ran = responses.stream()
        .filter(r -> r.statusCode() == 200 && r.headers().firstValue("Idempotent-Replayed").isEmpty()).toList();
    assertThat(ran).hasSize(1);
    assertThat(responses).filteredOn(r -> r.statusCode() == 200).allSatisfy(r -> assertThat(r.body()).isEqualTo(ran.get(0).body()));
  }

  // ---- bad keys, scope of the filter, shared key space ----

  static Stream<Arguments> badHeaderKeys() {
    return Stream.of(
        Arguments.of("empty", ""),
        Arguments.of("256 characters", "k".repeat(256)),
        Arguments.of("a tab (control character)", "a\tb"),
        Arguments.of("a space", "a b"),
        Arguments.of("empty quotes", "\"\""),
        Arguments.of("quotes around a space", "\"a b\""),
        Arguments.of("a broken quoted form", "\"a\"b\""));
  }

  @ParameterizedTest(name = "a header key with {0} gets 400 naming Idempotency-Key")
  @MethodSource("badHeaderKeys")
  @DisplayName("A bad Idempotency-Key header is a 400 naming the header, and the request does not run")
  void badHeaderKeys(String what, String key) {
    Resp r = putUser("u-badkey", "{\"role\":\"VIEWER\"}", key);
    assertProblem(r, 400, "VALIDATION_FAILED");
    assertThat(r.json().getString("detail")).startsWith("Idempotency-Key header");
    assertThat(text("SELECT count(*) FROM users WHERE id = 'u-badkey'")).isEqualTo("0");
  }

  @Test
  @DisplayName("Reads ignore the header, and so does the claim API itself")
  void onlyMutatingEndpoints() {
    Resp me = app.send("GET", "/api/v1/me", admin, null, Map.of(HEADER, "not a valid key"));
    assertThat(me.status()).isEqualTo(200);

    String body = new JsonObject().put("key", "api-key").put("entityType", "payout").put("requestHash", "h").encode();
    Resp claim = app.send("POST", "/api/v1/idempotency", admin, body, Map.of(HEADER, "header-key"));
    assertThat(claim.status()).isEqualTo(201);
    assertThat(keyState("api-key")).isEqualTo("processing");
    assertThat(keyState("header-key")).isNull();
  }

  @Test
  @DisplayName("Header keys share the caller's key space with the claim API")
  void sharedKeySpace() {
    String body = "{\"role\":\"VIEWER\"}";
    String fingerprint = RequestFingerprint.of("PUT", "/api/v1/users/u-shared", body);
    Resp claimed = app.post("/api/v1/idempotency", admin, new JsonObject().put("key", "shared-1")
        .put("entityType", "payout").put("requestHash", fingerprint).encode());
    assertThat(claimed.status()).isEqualTo(201);
    assertProblem(putUser("u-shared", body, "shared-1"), 409, "IDEMPOTENCY_IN_PROGRESS");

    assertThat(app.post("/api/v1/idempotency", admin, new JsonObject().put("key", "shared-2")
        .put("entityType", "payout").put("requestHash", "another-hash").encode()).status()).isEqualTo(201);
    assertProblem(putUser("u-shared", body, "shared-2"), 422, "IDEMPOTENCY_KEY_REUSED");
    assertThat(text("SELECT count(*) FROM users WHERE id = 'u-shared'")).isEqualTo("0");

    // A header request's record is visible through the claim API, and is another caller's business only to it.
    assertThat(putUser("u-shared", body, "shared-3").status()).isEqualTo(200);
    JsonObject record = app.get("/api/v1/idempotency/shared-3", admin).data();
    assertThat(record.getBoolean("processed")).isTrue();
    assertThat(record.getInteger("responseStatus")).isEqualTo(200);
    assertThat(record.getJsonObject("responseBody").getJsonObject("data").getString("id")).isEqualTo("u-shared");
    String otherAdmin = app.token("admin-other", "ADMIN");
    assertThat(app.get("/api/v1/idempotency/shared-3", otherAdmin).json().getValue("data")).isNull();
    Resp otherRuns = app.send("PUT", "/api/v1/users/u-shared", otherAdmin, body, Map.of(HEADER, "shared-3"));
    assertThat(otherRuns.header("Idempotent-Replayed")).isNull();
  }

  static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
    for (int i = 0; i < 200 && !condition.getAsBoolean(); i++) {
      Thread.sleep(25);
    }
    assertThat(condition.getAsBoolean()).as("condition reached within 5 s").isTrue();
  }
}
