package dev.systemtables.flags;

import dev.systemtables.testing.Resp;
import dev.systemtables.testing.TestApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The evaluation API: value, variant and reason, for the caller or (ADMIN, SERVICE) a given context")
class EvaluationApiTest {

  static TestApp app;
  static String admin;

  /** Names chosen so the 50 % rollout of split-half takes user-1 and not user-2 (checked in reasons()). */
  @BeforeAll
  static void start() {
    app = TestApp.start();
    admin = app.token("eval-admin", "ADMIN");
    create(new JsonObject().put("name", "static-on").put("enabled", true).put("rolloutPercentage", 100));
    create(new JsonObject().put("name", "switched-off").put("rolloutPercentage", 100));
    create(new JsonObject().put("name", "split-half-1").put("enabled", true).put("rolloutPercentage", 50));
    create(new JsonObject().put("name", "brand-only").put("enabled", true).put("rolloutPercentage", 100)
        .put("conditions", new JsonObject().put("brandIds", new JsonArray().add("b1"))));
    create(new JsonObject().put("name", "pro-plan").put("enabled", true).put("rolloutPercentage", 100)
        .put("conditions", new JsonObject().put("customConditions", new JsonObject().put("plan", "pro"))));
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  static void create(JsonObject body) {
    Resp r = app.post("/api/v1/flags", admin, body.encode());
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
  }

  static JsonObject one(String token, String name) {
    Resp r = app.get("/api/v1/flags/" + name + "/evaluation", token);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return r.data();
  }

  static Map<String, JsonObject> bulk(String token, JsonObject body) {
    Resp r = app.post("/api/v1/flags/evaluations", token, body.encode());
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    Map<String, JsonObject> out = new LinkedHashMap<>();
    r.data().getJsonArray("evaluations").forEach(o -> out.put(((JsonObject) o).getString("flag"), (JsonObject) o));
    return out;
  }

  static JsonObject answer(String flag, boolean enabled, Object value, String variant, String reason) {
    return new JsonObject().put("flag", flag).put("enabled", enabled).put("value", value).put("variant", variant)
        .put("reason", reason).put("errorCode", null);
  }

  @Test
  @DisplayName("Each reason of an old flag: STATIC, DISABLED, SPLIT, DEFAULT, TARGETING_MATCH, and ERROR for an unknown name")
  void reasons() {
    assertThat(Bucketing.bucket("split-half-1", "user-1")).isLessThanOrEqualTo(50);
    assertThat(Bucketing.bucket("split-half-1", "user-2")).isGreaterThan(50);
    String user1 = app.token("user-1", "VIEWER");
    String user2 = app.token(new JsonObject().put("sub", "user-2").put("role", "BRAND").put("brandId", "b1"));
    assertThat(one(user1, "static-on")).isEqualTo(answer("static-on", true, true, "on", "STATIC"));
    assertThat(one(user1, "switched-off")).isEqualTo(answer("switched-off", false, false, "off", "DISABLED"));
    assertThat(one(user1, "split-half-1")).isEqualTo(answer("split-half-1", true, true, "on", "SPLIT"));
    assertThat(one(user2, "split-half-1")).isEqualTo(answer("split-half-1", false, false, "off", "DEFAULT"));
    assertThat(one(user2, "brand-only")).isEqualTo(answer("brand-only", true, true, "on", "TARGETING_MATCH"));
    assertThat(one(user1, "brand-only")).isEqualTo(answer("brand-only", false, false, "off", "DEFAULT"));
    assertThat(one(user1, "no-such-flag")).isEqualTo(new JsonObject().put("flag", "no-such-flag").put("enabled", false)
        .put("value", null).put("variant", null).put("reason", "ERROR").put("errorCode", "FLAG_NOT_FOUND"));
  }

  @Test
  @DisplayName("The old endpoints answer exactly as the evaluation API's enabled, for every flag and caller")
  void oldEndpointsAgree() {
    for (String token : List.of(app.token("user-1", "VIEWER"), app.token("user-2", "VIEWER"),
        app.token(new JsonObject().put("sub", "user-9").put("role", "BRAND").put("brandId", "b1")))) {
      Map<String, JsonObject> all = bulk(token, new JsonObject());
      JsonObject enabled = app.get("/api/v1/flags/enabled", token).data().getJsonObject("flags");
      assertThat(all.keySet()).containsExactlyElementsOf(enabled.fieldNames());
      all.forEach((name, e) -> {
        assertThat(e.getBoolean("enabled")).as(name).isEqualTo(enabled.getBoolean(name));
        assertThat(app.get("/api/v1/flags/" + name + "/enabled", token).data().getBoolean("enabled")).isEqualTo(e.getBoolean("enabled"));
      });
    }
  }

  @Test
  @DisplayName("Bulk: the flags asked for in their order (duplicates once), every flag by name when none are named")
  void bulkShapes() {
    String user1 = app.token("user-1", "VIEWER");
    Map<String, JsonObject> some = bulk(user1, new JsonObject().put("flags",
        new JsonArray().add("split-half-1").add("nope-flag").add("static-on").add("split-half-1")));
    assertThat(some.keySet()).containsExactly("split-half-1", "nope-flag", "static-on");
    assertThat(some.get("nope-flag").getString("errorCode")).isEqualTo("FLAG_NOT_FOUND");
    assertThat(bulk(user1, new JsonObject()).keySet())
        .containsExactly("brand-only", "pro-plan", "split-half-1", "static-on", "switched-off");
  }

  @Test
  @DisplayName("ADMIN and SERVICE evaluate the context they give; other roles' claims win and only properties count")
  void contexts() {
    JsonObject ctx = new JsonObject().put("context", new JsonObject().put("userId", "user-2").put("brandId", "b1")
        .put("properties", new JsonObject().put("plan", "pro")));
    for (String privileged : List.of(admin, app.token("svc-1", "SERVICE"))) {
      Map<String, JsonObject> r = bulk(privileged, ctx);
      assertThat(r.get("brand-only").getString("reason")).isEqualTo("TARGETING_MATCH");
      assertThat(r.get("pro-plan").getBoolean("enabled")).isTrue();
      assertThat(r.get("split-half-1").getString("reason")).as("user-2 is outside the 50 %").isEqualTo("DEFAULT");
    }
    // A viewer without a brand claim cannot pose as a brand-b1 user or as user-2 ...
    String viewer = app.token("user-1", "VIEWER");
    Map<String, JsonObject> mine = bulk(viewer, ctx);
    assertThat(mine.get("brand-only").getBoolean("enabled")).isFalse();
    assertThat(mine.get("split-half-1").getString("reason")).as("still user-1, inside the 50 %").isEqualTo("SPLIT");
    // ... but may add facts (properties) ...
    assertThat(mine.get("pro-plan").getBoolean("enabled")).isTrue();
    // ... never contradicting its own claims.
    String freePlan = app.token(new JsonObject().put("sub", "user-3").put("role", "VIEWER").put("plan", "free"));
    assertThat(bulk(freePlan, ctx).get("pro-plan").getBoolean("enabled")).isFalse();
    // An admin context without userId is a user without one: a 50 % rollout takes nobody.
    Map<String, JsonObject> anonymous = bulk(admin, new JsonObject().put("context", new JsonObject()));
    assertThat(anonymous.get("split-half-1").getBoolean("enabled")).isFalse();
    assertThat(anonymous.get("static-on").getBoolean("enabled")).isTrue();
  }

  @Test
  @DisplayName("Answers carry no conditions, rules or segments, whoever asks")
  void noTargetingShown() {
    JsonObject e = one(app.token("user-1", "VIEWER"), "brand-only");
    assertThat(e.fieldNames()).containsExactlyInAnyOrder("flag", "enabled", "value", "variant", "reason", "errorCode");
    Resp r = app.post("/api/v1/flags/evaluations", app.token("user-1", "VIEWER"), "{}");
    assertThat(r.body()).doesNotContain("b1").doesNotContain("conditions").doesNotContain("rules");
  }

  static Stream<Arguments> badRequests() {
    return Stream.of(
        Arguments.of("unknown body field", "{\"flag\": [\"a\"]}", "flag is not a field"),
        Arguments.of("flags not strings", "{\"flags\": [1]}", "flags[0]"),
        Arguments.of("unknown context field", "{\"context\": {\"plan\": \"pro\"}}", "context.plan"),
        Arguments.of("unknown role", "{\"context\": {\"role\": \"ROOT\"}}", "context.role"),
        Arguments.of("bad currentTime", "{\"context\": {\"currentTime\": \"noon\"}}", "context.currentTime"),
        Arguments.of("properties not an object", "{\"context\": {\"properties\": [1]}}", "context.properties"));
  }

  @ParameterizedTest(name = "{0} → 400")
  @MethodSource("badRequests")
  @DisplayName("A bad evaluation request answers 400 naming the field, for admins and users alike")
  void badRequest(String what, String body, String detail) {
    for (String token : List.of(admin, app.token("user-1", "VIEWER"))) {
      Resp r = app.post("/api/v1/flags/evaluations", token, body);
      assertThat(r.status()).as(r.toString()).isEqualTo(400);
      assertThat(r.json().getString("detail")).contains(detail);
    }
  }
}
