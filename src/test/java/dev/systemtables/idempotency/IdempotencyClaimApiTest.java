package dev.systemtables.idempotency;

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

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Idempotency claim API: claim, complete, release and look up, decided by PostgreSQL")
class IdempotencyClaimApiTest {

  static TestApp app;

  @BeforeAll
  static void start() {
    app = TestApp.start();
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  // ---- helpers ----

  static String token(String sub) {
    return app.token(sub, "CREATOR");
  }

  static Resp claim(String token, String key, String hash) {
    return app.post("/api/v1/idempotency", token,
        new JsonObject().put("key", key).put("entityType", "payout").put("requestHash", hash).encode());
  }

  static Resp complete(String token, String key, JsonObject body) {
    return app.post("/api/v1/idempotency/" + key + "/complete", token, body.encode());
  }

  static JsonObject payoutResult() {
    // Members deliberately out of alphabetical order: the stored body must come back as given.
    return new JsonObject().put("entityId", "payout-1").put("responseStatus", 201)
        .put("responseBody", new JsonObject().put("zeta", 1).put("alpha", new JsonArray().add("x")).put("mid", "m"));
  }

  static int sql(String statement, Object... args) {
    try (Connection c = TestDatabases.jdbc(app.databaseUrl()); PreparedStatement ps = c.prepareStatement(statement)) {
      for (int i = 0; i < args.length; i++) ps.setObject(i + 1, args[i]);
      return ps.executeUpdate();
    } catch (Exception e) {
      throw new IllegalStateException(statement, e);
    }
  }

  static Map<String, Object> row(String scope, String key) {
    try (Connection c = TestDatabases.jdbc(app.databaseUrl());
         PreparedStatement ps = c.prepareStatement(
             "SELECT id, processed, request_hash, processing_at FROM idempotency_keys WHERE scope = ? AND key = ?")) {
      ps.setString(1, scope);
      ps.setString(2, key);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) return null;
        return Map.of("id", rs.getString(1), "processed", rs.getBoolean(2), "requestHash", rs.getString(3),
            "processingAt", rs.getTimestamp(4).toInstant());
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static void assertProblem(Resp r, int status, String code) {
    assertThat(r.status()).as(r.toString()).isEqualTo(status);
    assertThat(r.header("Content-Type")).isEqualTo("application/problem+json");
    assertThat(r.json().getString("code")).isEqualTo(code);
  }

  // ---- the claim table ----

  @Test
  @DisplayName("A new key is claimed: 201 with the processing record, stored under the caller's scope")
  void newClaimIs201() {
    String t = token("claimer-new");
    Resp r = claim(t, "pay-1", "hash-a");
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    JsonObject d = r.data();
    assertThat(d.getString("key")).isEqualTo("pay-1");
    assertThat(d.getBoolean("processed")).isFalse();
    assertThat(d.getString("entityType")).isEqualTo("payout");
    Instant created = Instant.parse(d.getString("createdAt"));
    assertThat(Duration.between(created, Instant.parse(d.getString("expiresAt")))).isEqualTo(Duration.ofHours(24));
    assertThat(row("claimer-new", "pay-1")).containsEntry("processed", false).containsEntry("requestHash", "hash-a");
  }

  @Test
  @DisplayName("While a fresh claim is processing: same hash 409 IDEMPOTENCY_IN_PROGRESS, GET 409, other hash 422")
  void freshProcessingClaim() {
    String t = token("claimer-busy");
    assertThat(claim(t, "pay-1", "hash-a").status()).isEqualTo(201);
    assertProblem(claim(t, "pay-1", "hash-a"), 409, "IDEMPOTENCY_IN_PROGRESS");
    assertProblem(app.get("/api/v1/idempotency/pay-1", t), 409, "IDEMPOTENCY_IN_PROGRESS");
    Resp reused = claim(t, "pay-1", "hash-b");
    assertProblem(reused, 422, "IDEMPOTENCY_KEY_REUSED");
    assertThat(reused.json().getString("detail")).contains("pay-1");
  }

  @Test
  @DisplayName("A completed record: GET returns it, the same hash gets 200 with it, another hash gets 422")
  void completedRecord() {
    String t = token("claimer-done");
    assertThat(claim(t, "pay-1", "hash-a").status()).isEqualTo(201);
    Resp done = complete(t, "pay-1", payoutResult());
    assertThat(done.status()).as(done.toString()).isEqualTo(200);
    assertThat(done.data().getBoolean("processed")).isTrue();

    Resp got = app.get("/api/v1/idempotency/pay-1", t);
    assertThat(got.status()).isEqualTo(200);
    JsonObject d = got.data();
    assertThat(d.fieldNames()).containsExactlyInAnyOrder(
        "key", "processed", "entityType", "entityId", "responseStatus", "responseBody", "createdAt", "expiresAt");
    assertThat(d.getString("key")).isEqualTo("pay-1");
    assertThat(d.getBoolean("processed")).isTrue();
    assertThat(d.getString("entityType")).isEqualTo("payout");
    assertThat(d.getString("entityId")).isEqualTo("payout-1");
    assertThat(d.getInteger("responseStatus")).isEqualTo(201);
    // Member order as completed, not jsonb's order.
    assertThat(d.getJsonObject("responseBody").encode()).isEqualTo("{\"zeta\":1,\"alpha\":[\"x\"],\"mid\":\"m\"}");

    Resp again = claim(t, "pay-1", "hash-a");
    assertThat(again.status()).as(again.toString()).isEqualTo(200);
    assertThat(again.data()).isEqualTo(d);
    assertProblem(claim(t, "pay-1", "hash-b"), 422, "IDEMPOTENCY_KEY_REUSED");
  }

  @Test
  @DisplayName("Completing twice is 409 ALREADY_COMPLETED; completing an unknown key is 404")
  void completeTwiceAndUnknown() {
    String t = token("claimer-twice");
    assertThat(claim(t, "pay-1", "hash-a").status()).isEqualTo(201);
    assertThat(complete(t, "pay-1", payoutResult()).status()).isEqualTo(200);
    assertProblem(complete(t, "pay-1", payoutResult().put("entityId", "payout-2")), 409, "ALREADY_COMPLETED");
    assertThat(app.get("/api/v1/idempotency/pay-1", t).data().getString("entityId")).isEqualTo("payout-1");
    assertProblem(complete(t, "never-claimed", payoutResult()), 404, "NOT_FOUND");
  }

  @Test
  @DisplayName("A claim processing for more than 5 minutes is taken over (201) by the same request, not by another (422)")
  void staleTakeOver() {
    String t = token("claimer-stale");
    assertThat(claim(t, "pay-1", "hash-a").status()).isEqualTo(201);
    String firstId = (String) row("claimer-stale", "pay-1").get("id");

    sql("UPDATE idempotency_keys SET processing_at = now() - interval '299 seconds' WHERE scope = ? AND key = ?",
        "claimer-stale", "pay-1");
    assertProblem(claim(t, "pay-1", "hash-a"), 409, "IDEMPOTENCY_IN_PROGRESS");

    sql("UPDATE idempotency_keys SET processing_at = now() - interval '301 seconds' WHERE scope = ? AND key = ?",
        "claimer-stale", "pay-1");
    assertThat(app.get("/api/v1/idempotency/pay-1", t).json().getValue("data")).isNull();
    assertProblem(claim(t, "pay-1", "hash-b"), 422, "IDEMPOTENCY_KEY_REUSED");
    Resp takeOver = claim(t, "pay-1", "hash-a");
    assertThat(takeOver.status()).as(takeOver.toString()).isEqualTo(201);
    Map<String, Object> now = row("claimer-stale", "pay-1");
    assertThat(now.get("id")).isNotEqualTo(firstId);
    assertThat((Instant) now.get("processingAt")).isAfter(Instant.now().minusSeconds(60));
    // The taken-over claim is fresh again.
    assertProblem(claim(t, "pay-1", "hash-a"), 409, "IDEMPOTENCY_IN_PROGRESS");
  }

  @Test
  @DisplayName("An expired record behaves as absent: GET null, complete 404, and any request may claim the key again")
  void expiredIsAbsent() {
    String t = token("claimer-expired");
    assertThat(claim(t, "pay-1", "hash-a").status()).isEqualTo(201);
    assertThat(complete(t, "pay-1", payoutResult()).status()).isEqualTo(200);
    sql("UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE scope = ? AND key = ?",
        "claimer-expired", "pay-1");

    assertThat(app.get("/api/v1/idempotency/pay-1", t).json()).isEqualTo(new JsonObject().put("data", null));
    assertProblem(complete(t, "pay-1", payoutResult()), 404, "NOT_FOUND");
    assertProblem(app.delete("/api/v1/idempotency/pay-1", t), 404, "NOT_FOUND");
    Resp again = claim(t, "pay-1", "hash-other");
    assertThat(again.status()).as(again.toString()).isEqualTo(201);
    assertThat(again.data().getBoolean("processed")).isFalse();
    assertThat(again.data().getValue("responseBody")).isNull();
    assertThat(row("claimer-expired", "pay-1")).containsEntry("requestHash", "hash-other");
  }

  @Test
  @DisplayName("An unknown key: GET gives {\"data\": null}")
  void unknownIsNull() {
    Resp r = app.get("/api/v1/idempotency/nothing-here", token("claimer-unknown"));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"data\":null}");
  }

  @Test
  @DisplayName("DELETE releases a processing claim (204) so a retry claims at once; completed 409, unknown 404")
  void release() {
    String t = token("claimer-release");
    assertThat(claim(t, "pay-1", "hash-a").status()).isEqualTo(201);
    Resp released = app.delete("/api/v1/idempotency/pay-1", t);
    assertThat(released.status()).as(released.toString()).isEqualTo(204);
    assertThat(row("claimer-release", "pay-1")).isNull();
    assertThat(claim(t, "pay-1", "hash-a").status()).isEqualTo(201);

    assertThat(complete(t, "pay-1", payoutResult()).status()).isEqualTo(200);
    assertProblem(app.delete("/api/v1/idempotency/pay-1", t), 409, "ALREADY_COMPLETED");
    assertProblem(app.delete("/api/v1/idempotency/never-claimed", t), 404, "NOT_FOUND");
  }

  @Test
  @DisplayName("Two callers using the same key never see or touch each other's records")
  void callersStayApart() {
    String alice = token("alice");
    String bob = token("bob");
    assertThat(claim(alice, "shared-key", "hash-alice").status()).isEqualTo(201);

    // Bob sees nothing, cannot complete or release Alice's claim, and claims his own record.
    assertThat(app.get("/api/v1/idempotency/shared-key", bob).json().getValue("data")).isNull();
    assertProblem(complete(bob, "shared-key", payoutResult()), 404, "NOT_FOUND");
    assertProblem(app.delete("/api/v1/idempotency/shared-key", bob), 404, "NOT_FOUND");
    assertThat(row("alice", "shared-key")).containsEntry("processed", false);
    assertThat(claim(bob, "shared-key", "hash-bob").status()).isEqualTo(201);

    assertThat(complete(bob, "shared-key", new JsonObject().put("entityId", "bob-1").put("responseStatus", 200)
        .put("responseBody", new JsonObject().put("who", "bob"))).status()).isEqualTo(200);
    assertProblem(app.get("/api/v1/idempotency/shared-key", alice), 409, "IDEMPOTENCY_IN_PROGRESS");
    assertThat(complete(alice, "shared-key", payoutResult()).status()).isEqualTo(200);

    assertThat(app.get("/api/v1/idempotency/shared-key", alice).data().getString("entityId")).isEqualTo("payout-1");
    assertThat(app.get("/api/v1/idempotency/shared-key", bob).data().getJsonObject("responseBody"))
        .isEqualTo(new JsonObject().put("who", "bob"));
    assertThat(claim(bob, "shared-key", "hash-bob").data().getString("entityId")).isEqualTo("bob-1");
  }

  @Test
  @DisplayName("50 concurrent claims of one key: exactly one 201, the rest 409, no 5xx, one row")
  void concurrentClaims() {
    String t = token("claimer-race");
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    String body = new JsonObject().put("key", "race").put("entityType", "payout").put("requestHash", "h").encode();
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      calls.add(http.sendAsync(HttpRequest.newBuilder(URI.create(app.baseUrl() + "/api/v1/idempotency"))
          .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + t)
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()));
    }
    List<Integer> statuses = calls.stream().map(CompletableFuture::join).map(HttpResponse::statusCode).toList();
    Map<Integer, Long> counts = statuses.stream().collect(Collectors.groupingBy(s -> s, Collectors.counting()));
    assertThat(counts).as("statuses %s", counts).containsEntry(201, 1L).containsEntry(409, 49L);
    assertThat(row("claimer-race", "race")).isNotNull();
    assertThat(app.get("/metrics", null).body())
        .contains("idempotency_claims_total{outcome=\"claimed\"}")
        .contains("idempotency_claims_total{outcome=\"in_progress\"}");
  }

  // ---- bad input ----

  static Stream<Arguments> badKeys() {
    return Stream.of(
        Arguments.of("empty", ""),
        Arguments.of("256 characters", "k".repeat(256)),
        Arguments.of("a control character", "a\u0001b"),
        Arguments.of("a newline", "a\nb"),
        Arguments.of("a space", "a b"),
        Arguments.of("non-ASCII", "caf\u00e9"));
  }

  @ParameterizedTest(name = "a key with {0} gets 400 naming key")
  @MethodSource("badKeys")
  @DisplayName("A bad key in a claim is a 400 whose detail names key")
  void badKeysInClaims(String what, String key) {
    Resp r = claim(token("claimer-bad"), key, "h");
    assertProblem(r, 400, "VALIDATION_FAILED");
    assertThat(r.json().getString("detail")).startsWith("key ");
  }

  @Test
  @DisplayName("A bad key in a path is a 400 naming key; 255 characters are fine")
  void badKeysInPaths() {
    String t = token("claimer-bad-path");
    Resp tooLong = app.get("/api/v1/idempotency/" + "k".repeat(256), t);
    assertProblem(tooLong, 400, "VALIDATION_FAILED");
    assertThat(tooLong.json().getString("detail")).startsWith("key ");
    Resp control = app.get("/api/v1/idempotency/a%01b", t);
    assertProblem(control, 400, "VALIDATION_FAILED");
    assertThat(control.json().getString("detail")).startsWith("key ");
    assertProblem(app.post("/api/v1/idempotency/a%20b/complete", t, payoutResult().encode()), 400, "VALIDATION_FAILED");
    assertProblem(app.delete("/api/v1/idempotency/a%7Fb", t), 400, "VALIDATION_FAILED");
    assertThat(app.get("/api/v1/idempotency/" + "k".repeat(255), t).status()).isEqualTo(200);
  }

  @Test
  @DisplayName("Missing or mistyped fields are 400s naming the field")
  void fieldValidation() {
    String t = token("claimer-fields");
    Resp noHash = app.post("/api/v1/idempotency", t, "{\"key\":\"k\",\"entityType\":\"payout\"}");
    assertProblem(noHash, 400, "VALIDATION_FAILED");
    assertThat(noHash.json().getString("detail")).startsWith("requestHash");
    Resp noType = app.post("/api/v1/idempotency", t, "{\"key\":\"k\",\"requestHash\":\"h\"}");
    assertThat(noType.json().getString("detail")).startsWith("entityType");
    Resp keyNumber = app.post("/api/v1/idempotency", t, "{\"key\":5,\"entityType\":\"p\",\"requestHash\":\"h\"}");
    assertProblem(keyNumber, 400, "VALIDATION_FAILED");
    assertThat(keyNumber.json().getString("detail")).isEqualTo("key must be a string");
    assertProblem(app.post("/api/v1/idempotency", t, "{not json"), 400, "MALFORMED_JSON");

    assertThat(claim(t, "k", "h").status()).isEqualTo(201);
    Resp noStatus = complete(t, "k", new JsonObject().put("entityId", "e"));
    assertProblem(noStatus, 400, "VALIDATION_FAILED");
    assertThat(noStatus.json().getString("detail")).startsWith("responseStatus");
    Resp badStatus = complete(t, "k", new JsonObject().put("responseStatus", 42));
    assertThat(badStatus.json().getString("detail")).startsWith("responseStatus");
    Resp badEntity = complete(t, "k", new JsonObject().put("responseStatus", 200).put("entityId", 7));
    assertThat(badEntity.json().getString("detail")).startsWith("entityId");
    // Nothing was stored by the refused completions.
    assertProblem(app.get("/api/v1/idempotency/k", t), 409, "IDEMPOTENCY_IN_PROGRESS");
  }
}
