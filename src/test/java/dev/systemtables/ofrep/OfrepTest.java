package dev.systemtables.ofrep;

import dev.systemtables.flags.Bucketing;
import dev.systemtables.testing.RawHttp;
import dev.systemtables.testing.Resp;
import dev.systemtables.testing.TestApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OFREP endpoints over real HTTP against a real node: answers, who is evaluated, errors, ETag/304 and the
 * rate limit. Every answer here is also checked against openapi.yaml (testing/ContractResponses).
 */
@DisplayName("OFREP: /ofrep/v1/evaluate/flags answers OpenFeature providers from the node's flags")
class OfrepTest {

  static final String ONE = "/ofrep/v1/evaluate/flags/";
  static final String BULK = "/ofrep/v1/evaluate/flags";
  static final AtomicInteger SEQ = new AtomicInteger();

  static TestApp app;
  static String admin;
  static String service;

  @BeforeAll
  static void start() {
    app = TestApp.start();
    admin = app.token("ops-1", "ADMIN");
    service = app.token("checkout-service", "SERVICE");
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  static String name(String base) {
    return base + "-" + SEQ.incrementAndGet() + "-" + UUID.randomUUID().toString().substring(0, 6);
  }

  static String create(JsonObject flag) {
    Resp r = app.post("/api/v1/flags", admin, flag.encode());
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.data().getString("id");
  }

  static Resp evaluate(String token, String key, JsonObject context) {
    return app.post(ONE + key, token, new JsonObject().put("context", context).encode());
  }

  static Resp bulk(String token, JsonObject context, String ifNoneMatch) {
    return app.send("POST", BULK, token, new JsonObject().put("context", context).encode(),
        ifNoneMatch == null ? Map.of() : Map.of("If-None-Match", ifNoneMatch));
  }

  /** What REST answers for a user's own token: the oracle the OFREP answer must agree with. */
  static boolean restAnswer(String token, String flag) {
    Resp r = app.get("/api/v1/flags/" + flag + "/enabled", token);
    assertThat(r.status()).isEqualTo(200);
    return r.data().getBoolean("enabled");
  }

  @Test
  @DisplayName("A flag answers key, value, variant, reason and empty metadata as JSON; the reason says what decided")
  void answerShape() {
    String everyone = name("everyone");
    create(new JsonObject().put("name", everyone).put("enabled", true).put("rolloutPercentage", 100));
    String off = name("off");
    create(new JsonObject().put("name", off).put("enabled", false).put("rolloutPercentage", 100));
    String creators = name("creators");
    create(new JsonObject().put("name", creators).put("enabled", true).put("rolloutPercentage", 100)
        .put("conditions", new JsonObject().put("userRoles", new JsonArray().add("CREATOR"))));
    String quarter = name("quarter");
    create(new JsonObject().put("name", quarter).put("enabled", true).put("rolloutPercentage", 25));

    String viewer = app.token("viewer-1", "VIEWER");
    Resp r = evaluate(viewer, everyone, new JsonObject());
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.header("Content-Type")).startsWith("application/json");
    assertThat(r.json()).isEqualTo(new JsonObject().put("key", everyone).put("value", true).put("variant", "on")
        .put("reason", "STATIC").put("metadata", new JsonObject()));

    assertThat(evaluate(viewer, off, new JsonObject()).json()).isEqualTo(new JsonObject().put("key", off)
        .put("value", false).put("variant", "off").put("reason", "DISABLED").put("metadata", new JsonObject()));

    JsonObject notCreator = evaluate(viewer, creators, new JsonObject()).json();
    assertThat(notCreator.getBoolean("value")).isFalse();
    assertThat(notCreator.getString("variant")).isEqualTo("off");
    assertThat(notCreator.getString("reason")).isEqualTo("TARGETING_MATCH");
    assertThat(evaluate(app.token("creator-1", "CREATOR"), creators, new JsonObject()).json().getBoolean("value"))
        .isTrue();

    for (String user : List.of("user-3", "user-42", "user-7", "user-99")) {
      JsonObject split = evaluate(app.token(user, "VIEWER"), quarter, new JsonObject()).json();
      assertThat(split.getString("reason")).isEqualTo("SPLIT");
      assertThat(split.getBoolean("value")).as(user).isEqualTo(Bucketing.bucket(quarter, user) <= 25);
    }
  }

  @Test
  @DisplayName("A user token evaluates its own claims: a targetingKey, role or brandId in the context changes nothing")
  void userTokensEvaluateThemselves() {
    String brandFlag = name("brand-b1");
    create(new JsonObject().put("name", brandFlag).put("enabled", true).put("rolloutPercentage", 100)
        .put("conditions", new JsonObject().put("brandIds", new JsonArray().add("b-1"))
            .put("userRoles", new JsonArray().add("BRAND"))));
    String listed = name("listed");
    create(new JsonObject().put("name", listed).put("enabled", true).put("rolloutPercentage", 0)
        .put("conditions", new JsonObject().put("userIds", new JsonArray().add("vip-1"))));
    String custom = name("plan-pro");
    create(new JsonObject().put("name", custom).put("enabled", true).put("rolloutPercentage", 100)
        .put("conditions", new JsonObject().put("customConditions", new JsonObject().put("plan", "pro"))));

    String viewer = app.token("viewer-2", "VIEWER");
    JsonObject posing = new JsonObject().put("targetingKey", "vip-1").put("role", "BRAND").put("brandId", "b-1")
        .put("userId", "vip-1").put("sub", "vip-1");
    assertThat(evaluate(viewer, brandFlag, posing).json().getBoolean("value")).isFalse();
    assertThat(evaluate(viewer, listed, posing).json().getBoolean("value")).isFalse();
    assertThat(evaluate(app.token("vip-1", "VIEWER"), listed, new JsonObject()).json().getBoolean("value")).isTrue();
    String brand = app.token(new JsonObject().put("sub", "brand-user").put("role", "BRAND").put("brandId", "b-1"));
    assertThat(evaluate(brand, brandFlag, new JsonObject().put("brandId", "b-2")).json().getBoolean("value")).isTrue();

    // Other members are attributes for custom conditions, as POST /api/v1/flags/evaluate's context...
    assertThat(evaluate(viewer, custom, new JsonObject().put("plan", "pro")).json().getBoolean("value")).isTrue();
    assertThat(evaluate(viewer, custom, new JsonObject().put("plan", "free")).json().getBoolean("value")).isFalse();
    // ...but a claim of the same name wins.
    String free = app.token(new JsonObject().put("sub", "viewer-3").put("role", "VIEWER").put("plan", "free"));
    assertThat(evaluate(free, custom, new JsonObject().put("plan", "pro")).json().getBoolean("value")).isFalse();

    // Bulk too: the same answers as the token's own REST evaluation.
    JsonArray flags = bulk(viewer, posing, null).json().getJsonArray("flags");
    for (Object o : flags) {
      JsonObject f = (JsonObject) o;
      assertThat(f.getBoolean("value")).as(f.encode()).isEqualTo(restAnswer(viewer, f.getString("key")));
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"ADMIN", "SERVICE"})
  @DisplayName("ADMIN and SERVICE tokens evaluate the context they send, exactly as that user's own token would")
  void adminAndServiceEvaluateTheGivenContext(String role) {
    String token = app.token(role.toLowerCase() + "-caller", role);
    String quarter = name("given-quarter");
    create(new JsonObject().put("name", quarter).put("enabled", true).put("rolloutPercentage", 25));
    String brandFlag = name("given-brand");
    create(new JsonObject().put("name", brandFlag).put("enabled", true).put("rolloutPercentage", 100)
        .put("conditions", new JsonObject().put("brandIds", new JsonArray().add("b-1"))
            .put("userRoles", new JsonArray().add("BRAND"))
            .put("customConditions", new JsonObject().put("country", "NL"))));

    List<JsonObject> users = new ArrayList<>();
    for (int i = 0; i < 12; i++) users.add(new JsonObject().put("sub", "u-" + i).put("role", "VIEWER"));
    users.add(new JsonObject().put("sub", "brand-9").put("role", "BRAND").put("brandId", "b-1").put("country", "NL"));
    users.add(new JsonObject().put("sub", "brand-8").put("role", "BRAND").put("brandId", "b-1").put("country", "BE"));
    users.add(new JsonObject().put("sub", "brand-7").put("role", "BRAND").put("brandId", "b-2").put("country", "NL"));
    int on = 0;
    for (JsonObject claims : users) {
      JsonObject context = claims.copy();
      context.put("targetingKey", context.remove("sub"));
      String own = app.token(claims);
      for (String flag : List.of(quarter, brandFlag)) {
        Resp r = evaluate(token, flag, context);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        boolean value = r.json().getBoolean("value");
        assertThat(value).as(flag + " for " + claims.encode()).isEqualTo(restAnswer(own, flag));
        if (value) on++;
      }
    }
    assertThat(on).as("the sample holds both answers").isBetween(1, users.size() * 2 - 1);
  }

  @Test
  @DisplayName("Unknown flags answer 404 FLAG_NOT_FOUND with the key, for every caller and in bulk not at all")
  void unknownFlag() {
    Resp r = evaluate(app.token("viewer-4", "VIEWER"), "no-such-flag", new JsonObject());
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.header("Content-Type")).startsWith("application/json");
    assertThat(r.json().getString("key")).isEqualTo("no-such-flag");
    assertThat(r.json().getString("errorCode")).isEqualTo("FLAG_NOT_FOUND");
    assertThat(r.json().getJsonObject("metadata")).isEqualTo(new JsonObject());

    Resp slash = app.post(ONE + "a/b", service, "{\"context\":{\"targetingKey\":\"u\"}}");
    assertThat(slash.status()).isEqualTo(404);
    assertThat(slash.json().getString("key")).isEqualTo("a/b");
    assertThat(slash.json().getString("errorCode")).isEqualTo("FLAG_NOT_FOUND");

    String gone = name("deleted");
    String id = create(new JsonObject().put("name", gone).put("enabled", true).put("rolloutPercentage", 100));
    assertThat(evaluate(service, gone, new JsonObject().put("targetingKey", "u")).status()).isEqualTo(200);
    assertThat(app.delete("/api/v1/flags/" + id, admin).status()).isEqualTo(204);
    assertThat(evaluate(service, gone, new JsonObject().put("targetingKey", "u")).json().getString("errorCode"))
        .isEqualTo("FLAG_NOT_FOUND");
    assertThat(bulk(service, new JsonObject().put("targetingKey", "u"), null).json().getJsonArray("flags").stream()
        .map(f -> ((JsonObject) f).getString("key"))).doesNotContain(gone);
  }

  @Test
  @DisplayName("Bad input is a 4xx in OFREP's shape naming what is wrong: PARSE_ERROR, INVALID_CONTEXT, TARGETING_KEY_MISSING")
  void badInput() {
    String flag = name("bad-input");
    create(new JsonObject().put("name", flag).put("enabled", true).put("rolloutPercentage", 100));
    assertError(app.post(ONE + flag, service, "{\"context\":"), 400, flag, "PARSE_ERROR", "body");
    assertError(app.post(ONE + flag, service, "[1]"), 400, flag, "PARSE_ERROR", "JSON object");
    assertError(app.post(ONE + flag, service, "{\"context\":\"u-1\"}"), 400, flag, "INVALID_CONTEXT", "context");
    assertError(app.post(ONE + flag, service, "{\"context\":{}}"), 400, flag, "TARGETING_KEY_MISSING", "targetingKey");
    assertError(app.post(ONE + flag, admin, "{}"), 400, flag, "TARGETING_KEY_MISSING", "targetingKey");
    assertError(app.post(ONE + flag, service, "{\"context\":{\"targetingKey\":\"\"}}"), 400, flag,
        "TARGETING_KEY_MISSING", "targetingKey");
    assertError(app.post(ONE + flag, service, "{\"context\":{\"targetingKey\":7}}"), 400, flag, "INVALID_CONTEXT",
        "context.targetingKey");
    assertError(app.post(ONE + flag, service, "{\"context\":{\"targetingKey\":\"u\",\"role\":\"KING\"}}"), 400, flag,
        "INVALID_CONTEXT", "context.role 'KING'");
    assertError(app.post(ONE + flag, service, "{\"context\":{\"targetingKey\":\"u\",\"brandId\":{}}}"), 400, flag,
        "INVALID_CONTEXT", "context.brandId");
    assertError(app.post(ONE + flag, service, "{\"context\":{\"targetingKey\":\"u\",\"note\":\"a\\u0000b\"}}"), 400,
        flag, "INVALID_CONTEXT", "context.note");
    assertError(app.send("POST", ONE + flag, service, "context=x",
        Map.of("Content-Type", "application/x-www-form-urlencoded")), 415, flag, "PARSE_ERROR", "application/json");
    assertError(app.post(ONE + flag, service, "{\"context\":{\"targetingKey\":\"u\",\"x\":\"" + "a".repeat(1_100_000)
        + "\"}}"), 413, flag, "GENERAL", "bytes");
    assertError(app.post(ONE + flag, "not-a-token", "{}"), 401, flag, "GENERAL", "token");
    assertError(app.post(ONE + flag, null, "{}"), 401, flag, "GENERAL", "token");

    assertError(app.post(BULK, service, "{\"context\":{}}"), 400, null, "TARGETING_KEY_MISSING", "targetingKey");
    assertError(app.post(BULK, service, "nope"), 400, null, "PARSE_ERROR", "body");
    assertError(app.post(BULK, null, "{}"), 401, null, "GENERAL", "token");

    // A user token needs no context at all, and an empty body is an empty request.
    Resp empty = app.post(ONE + flag, app.token("viewer-5", "VIEWER"), null);
    assertThat(empty.status()).as(empty.toString()).isEqualTo(200);
    assertThat(empty.json().getBoolean("value")).isTrue();

    // Other methods and paths under /ofrep answer in the same shape, never an HTML page or a problem.
    Resp get = app.get(ONE + flag, service);
    assertThat(get.status()).isEqualTo(405);
    assertThat(get.header("Allow")).isEqualTo("POST");
    assertThat(get.json().getString("errorCode")).isEqualTo("GENERAL");
    Resp elsewhere = app.post("/ofrep/v1/configuration", service, "{}");
    assertThat(elsewhere.status()).isEqualTo(404);
    assertThat(elsewhere.header("Content-Type")).startsWith("application/json");
    assertThat(elsewhere.json().getString("errorCode")).isEqualTo("GENERAL");
  }

  @Test
  @DisplayName("A malformed %-escape in an OFREP URL is a 400 PARSE_ERROR in OFREP's shape, not a problem document")
  void malformedUrl() {
    for (String target : List.of(ONE + "new-%zzcheckout", ONE + "bad%c3", BULK + "?flagConfigEtag=%g1")) {
      String body = "{\"context\":{}}";
      RawHttp.Answer a = RawHttp.send(app.port(), "POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Authorization: Bearer " + service + "\r\nContent-Type: application/json\r\nContent-Length: "
          + body.length() + "\r\n\r\n" + body);
      assertThat(a.status()).as(target + ": " + a).isEqualTo(400);
      assertThat(a.header("Content-Type")).as(a.toString()).startsWith("application/json");
      assertThat(a.json().getString("errorCode")).isEqualTo("PARSE_ERROR");
      assertThat(a.json().getString("errorDetails")).contains("%-escape");
      assertThat(a.json().getJsonObject("metadata")).isEqualTo(new JsonObject());
    }
  }

  static void assertError(Resp r, int status, String key, String errorCode, String detailPart) {
    assertThat(r.status()).as(r.toString()).isEqualTo(status);
    assertThat(r.header("Content-Type")).as(r.toString()).startsWith("application/json");
    JsonObject body = r.json();
    if (key != null) assertThat(body.getString("key")).isEqualTo(key);
    assertThat(body.getString("errorCode")).as(r.toString()).isEqualTo(errorCode);
    assertThat(body.getString("errorDetails")).as(r.toString()).contains(detailPart);
    assertThat(body.getJsonObject("metadata")).isEqualTo(new JsonObject());
  }

  @Test
  @DisplayName("Bulk answers carry an ETag; If-None-Match with it is a 304 until a flag or the caller's answers change")
  void bulkAndETag() {
    create(new JsonObject().put("name", name("etag-first")).put("enabled", true).put("rolloutPercentage", 50));
    String viewer = app.token("etag-viewer", "VIEWER");
    Resp first = bulk(viewer, new JsonObject(), null);
    assertThat(first.status()).isEqualTo(200);
    String etag = first.header("ETag");
    assertThat(etag).matches("\"[A-Za-z0-9_-]+\"");
    JsonArray flags = first.json().getJsonArray("flags");
    assertThat(first.json().getJsonObject("metadata")).isEqualTo(new JsonObject());
    List<String> keys = flags.stream().map(f -> ((JsonObject) f).getString("key")).toList();
    assertThat(keys).isSorted().isNotEmpty();
    flags.forEach(f -> assertThat(((JsonObject) f).fieldNames())
        .containsExactlyInAnyOrder("key", "value", "variant", "reason", "metadata"));

    Resp same = bulk(viewer, new JsonObject(), etag);
    assertThat(same.status()).isEqualTo(304);
    assertThat(same.body()).isEmpty();
    assertThat(same.header("ETag")).isEqualTo(etag);
    assertThat(bulk(viewer, new JsonObject(), "\"other\", W/" + etag).status()).isEqualTo(304);
    assertThat(bulk(viewer, new JsonObject(), "*").status()).isEqualTo(304);
    assertThat(bulk(viewer, new JsonObject(), "\"other\"").status()).isEqualTo(200);

    // Another caller with other answers gets another tag.
    String creators = name("etag-creators");
    String id = create(new JsonObject().put("name", creators).put("enabled", true).put("rolloutPercentage", 100)
        .put("conditions", new JsonObject().put("userRoles", new JsonArray().add("CREATOR"))));
    Resp mine = bulk(viewer, new JsonObject(), etag);
    assertThat(mine.status()).as("a new flag is a change").isEqualTo(200);
    String etag2 = mine.header("ETag");
    assertThat(etag2).isNotEqualTo(etag);
    assertThat(bulk(app.token("etag-creator", "CREATOR"), new JsonObject(), etag2).status()).isEqualTo(200);

    // A change an admin makes is seen on the next poll.
    assertThat(app.patch("/api/v1/flags/" + id, admin, "{\"conditions\":null}").status()).isEqualTo(200);
    Resp changed = bulk(viewer, new JsonObject(), etag2);
    assertThat(changed.status()).isEqualTo(200);
    assertThat(changed.json().getJsonArray("flags").stream().map(f -> (JsonObject) f)
        .filter(f -> f.getString("key").equals(creators)).findFirst().orElseThrow().getBoolean("value")).isTrue();
    assertThat(bulk(viewer, new JsonObject(), changed.header("ETag")).status()).isEqualTo(304);
  }

  @Test
  @DisplayName("Over rateLimits.ofrepEvaluationsPerMinute a caller gets 429 with Retry-After in seconds, others go on")
  void rateLimited() {
    try (TestApp limited = TestApp.start(Map.of(),
        new JsonObject().put("rateLimits", new JsonObject().put("ofrepEvaluationsPerMinute", 3)))) {
      String token = limited.token("busy-viewer", "VIEWER");
      List<Integer> statuses = new ArrayList<>();
      Resp last = null;
      for (int i = 0; i < 4; i++) {
        last = i % 2 == 0 ? limited.post(ONE + "anything", token, "{}") : limited.post(BULK, token, "{}");
        statuses.add(last.status());
      }
      assertThat(statuses).containsExactly(404, 200, 404, 429);
      assertThat(last.header("Retry-After")).matches("[0-9]+");
      assertThat(Integer.parseInt(last.header("Retry-After"))).isBetween(1, 60);
      assertThat(last.json().getString("errorCode")).isEqualTo("GENERAL");
      assertThat(last.json().getJsonObject("metadata")).isEqualTo(new JsonObject());
      Resp single = limited.post(ONE + "anything", token, "{}");
      assertThat(single.status()).isEqualTo(429);
      assertThat(single.json().getString("key")).isEqualTo("anything");
      assertThat(limited.post(BULK, limited.token("calm-viewer", "VIEWER"), "{}").status()).isEqualTo(200);
    }
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {"new checkout", "new/checkout", "new.checkout", "new_checkout", "New-Checkout",
      "new%20checkout", "new?checkout", "new#checkout", "néw-checkout", "new--checkout", "-new", "ab"})
  @DisplayName("A flag name a provider could not put in a URL unencoded is refused on create and rename, naming the field")
  void namesAreUrlSafe(String bad) {
    Resp r = app.post("/api/v1/flags", admin, new JsonObject().put("name", bad).encode());
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(r.json().getString("detail")).startsWith("name");
    String id = create(new JsonObject().put("name", name("rename-me")));
    Resp rename = app.patch("/api/v1/flags/" + id, admin, new JsonObject().put("name", bad).encode());
    assertThat(rename.status()).as(rename.toString()).isEqualTo(400);
    assertThat(rename.json().getString("detail")).startsWith("name");
  }
}
