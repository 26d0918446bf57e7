package dev.systemtables.flags;

import dev.systemtables.testing.Resp;
import dev.systemtables.testing.TestApp;
import dev.systemtables.testing.TestDatabases;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Rule flags over HTTP: stored and shown as written, dependencies and segments checked on write")
class FlagModelApiTest {

  static final AtomicInteger SEQ = new AtomicInteger();
  static TestApp app;
  static String admin;

  @BeforeAll
  static void start() {
    app = TestApp.start();
    admin = app.token("model-admin", "ADMIN");
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  static String name(String base) {
    return base + "-" + SEQ.incrementAndGet();
  }

  static JsonObject create(TestApp node, JsonObject body) {
    Resp r = node.post("/api/v1/flags", node.token("model-admin", "ADMIN"), body.encode());
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.data();
  }

  static JsonObject dependsOn(String parent) {
    return new JsonObject().put("flag", parent).put("enabled", true);
  }

  static JsonObject inRule(String field, String... values) {
    JsonArray v = new JsonArray();
    for (String s : values) v.add(s);
    return new JsonObject().put("constraints", new JsonArray().add(new JsonObject().put("contextName", field)
        .put("operator", "IN").put("values", v)));
  }

  static JsonObject evaluation(TestApp node, JsonObject context, String flag) {
    Resp r = node.post("/api/v1/flags/evaluations", node.token("model-admin", "ADMIN"),
        new JsonObject().put("flags", new JsonArray().add(flag)).put("context", context).encode());
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return r.data().getJsonArray("evaluations").getJsonObject(0);
  }

  @Test
  @DisplayName("A string flag with rules and variants is stored, listed and audited as written, and evaluated from it")
  void ruleFlagRoundTrip() {
    String flag = name("button-colour");
    JsonObject body = new JsonObject().put("name", flag).put("type", "string").put("enabled", true)
        .put("rules", new JsonArray().add(inRule("plan", "pro")))
        .put("variants", new JsonArray().add(new JsonObject().put("name", "green").put("value", "#2e7d32").put("weight", 1000)))
        .put("defaultVariant", new JsonObject().put("name", "grey").put("value", "#9e9e9e"));
    JsonObject f = create(app, body);
    assertThat(f.getString("type")).isEqualTo("string");
    assertThat(f.getJsonArray("rules").getJsonObject(0).getJsonArray("constraints").getJsonObject(0).getString("operator"))
        .isEqualTo("IN");
    JsonArray listed = app.get("/api/v1/flags", admin).json().getJsonArray("data");
    JsonObject mine = listed.stream().map(o -> (JsonObject) o).filter(o -> o.getString("name").equals(flag)).findFirst().orElseThrow();
    assertThat(mine).isEqualTo(f);
    JsonObject audit = app.get("/api/v1/flags/" + f.getString("id") + "/audit", admin).json().getJsonArray("data").getJsonObject(0);
    assertThat(audit.getJsonObject("after")).isEqualTo(f);

    JsonObject pro = evaluation(app, new JsonObject().put("userId", "u1").put("properties", new JsonObject().put("plan", "pro")), flag);
    assertThat(pro.getString("value")).isEqualTo("#2e7d32");
    assertThat(pro.getString("variant")).isEqualTo("green");
    assertThat(pro.getString("reason")).isEqualTo("TARGETING_MATCH");
    JsonObject free = evaluation(app, new JsonObject().put("userId", "u1").put("properties", new JsonObject().put("plan", "free")), flag);
    assertThat(free.getString("value")).isEqualTo("#9e9e9e");
    assertThat(free.getString("reason")).isEqualTo("DEFAULT");
  }

  @Test
  @DisplayName("A bad rule is a 400 naming its path, and creates nothing")
  void badRule() {
    String flag = name("bad-rule");
    Resp r = app.post("/api/v1/flags", admin, new JsonObject().put("name", flag)
        .put("rules", new JsonArray().add(new JsonObject().put("constraints", new JsonArray()
            .add(new JsonObject().put("contextName", "plan").put("operator", "LIKE").put("values", new JsonArray().add("x"))))))
        .encode());
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(r.json().getString("detail")).contains("rules[0].constraints[0].operator");
  }

  @Test
  @DisplayName("Dependencies: a missing parent, a cycle and a second level are 422 naming the field (depending on itself: 400)")
  void dependencyChecks() {
    String a = name("parent");
    String b = name("child");
    JsonObject fa = create(app, new JsonObject().put("name", a));
    create(app, new JsonObject().put("name", b).put("dependencies", new JsonArray().add(dependsOn(a))));

    Resp missing = app.post("/api/v1/flags", admin, new JsonObject().put("name", name("orphan"))
        .put("dependencies", new JsonArray().add(dependsOn("no-such-parent"))).encode());
    assertThat(missing.status()).as(missing.toString()).isEqualTo(422);
    assertThat(missing.json().getString("detail")).contains("dependencies[0].flag 'no-such-parent' is not a flag");

    Resp cycle = app.patch("/api/v1/flags/" + fa.getString("id"), admin,
        new JsonObject().put("dependencies", new JsonArray().add(dependsOn(b))).encode());
    assertThat(cycle.status()).as(cycle.toString()).isEqualTo(422);
    assertThat(cycle.json().getString("detail")).contains("dependencies").contains("cycle " + a + " → " + b + " → " + a);

    String self = name("selfish");
    Resp selfDep = app.post("/api/v1/flags", admin, new JsonObject().put("name", self)
        .put("dependencies", new JsonArray().add(dependsOn(self))).encode());
    // Decided by the body alone, before any other flag is looked at: a plain 400 naming the field.
    assertThat(selfDep.status()).isEqualTo(400);
    assertThat(selfDep.json().getString("detail")).contains("dependencies[0].flag");

    Resp second = app.post("/api/v1/flags", admin, new JsonObject().put("name", name("grandchild"))
        .put("dependencies", new JsonArray().add(dependsOn(b))).encode());
    assertThat(second.status()).isEqualTo(422);
    assertThat(second.json().getString("detail")).contains("dependencies[0].flag '" + b + "' depends on other flags");

    // A parent keeps its name and cannot go while a child depends on it.
    Resp rename = app.patch("/api/v1/flags/" + fa.getString("id"), admin, new JsonObject().put("name", name("renamed")).encode());
    assertThat(rename.status()).isEqualTo(409);
    assertThat(rename.json().getString("detail")).contains(b);
    Resp delete = app.delete("/api/v1/flags/" + fa.getString("id"), admin);
    assertThat(delete.status()).isEqualTo(409);
    assertThat(delete.json().getString("detail")).contains(b);
    // Nothing of the refused writes happened.
    JsonArray audit = app.get("/api/v1/flags/" + fa.getString("id") + "/audit", admin).json().getJsonArray("data");
    assertThat(audit.size()).isEqualTo(1);
  }

  @Test
  @DisplayName("Rules may name only existing segments (422); a segment in use can be neither deleted nor renamed (409)")
  void segmentReferences() {
    String seg = name("pro-users");
    Resp missing = app.post("/api/v1/flags", admin, new JsonObject().put("name", name("uses-missing"))
        .put("rules", new JsonArray().add(new JsonObject().put("segments", new JsonArray().add(seg)))).encode());
    assertThat(missing.status()).as(missing.toString()).isEqualTo(422);
    assertThat(missing.json().getString("detail")).contains("rules[0].segments[0] '" + seg + "' is not a segment");

    Resp s = app.post("/api/v1/flags/segments", admin, new JsonObject().put("name", seg).encode());
    assertThat(s.status()).isEqualTo(201);
    String user = name("uses-segment");
    create(app, new JsonObject().put("name", user).put("enabled", true)
        .put("rules", new JsonArray().add(new JsonObject().put("segments", new JsonArray().add(seg)))));
    Resp del = app.delete("/api/v1/flags/segments/" + s.data().getString("id"), admin);
    assertThat(del.status()).isEqualTo(409);
    assertThat(del.json().getString("detail")).contains(user);
    Resp rename = app.patch("/api/v1/flags/segments/" + s.data().getString("id"), admin, "{\"name\": \"other-name\"}");
    assertThat(rename.status()).isEqualTo(409);
    assertThat(rename.json().getString("detail")).contains(user);
  }

  @Test
  @DisplayName("Changing a segment changes the flags using it on a second node within 1 s")
  void segmentChangeOnSecondNode() {
    String db = TestDatabases.freshDatabase();
    try (TestApp a = TestApp.start(Map.of("DATABASE_URL", db), FlagPropagationTest.NO_PERIODIC_RELOAD);
         TestApp b = TestApp.start(Map.of("DATABASE_URL", db), FlagPropagationTest.NO_PERIODIC_RELOAD)) {
      String adminA = a.token("model-admin", "ADMIN");
      Resp s = a.post("/api/v1/flags/segments", adminA, new JsonObject().put("name", "brand-seven")
          .put("constraints", inRule("brandId", "brand-7").getJsonArray("constraints")).encode());
      assertThat(s.status()).as(s.toString()).isEqualTo(201);
      create(a, new JsonObject().put("name", "brand-feature").put("enabled", true)
          .put("rules", new JsonArray().add(new JsonObject().put("segments", new JsonArray().add("brand-seven")))));
      JsonObject brand9 = new JsonObject().put("userId", "u9").put("brandId", "brand-9");
      assertThat(Poll.until(1_000, () -> evaluation(b, new JsonObject().put("userId", "u7").put("brandId", "brand-7"),
          "brand-feature").getBoolean("enabled"))).isTrue();
      assertThat(evaluation(b, brand9, "brand-feature").getBoolean("enabled")).isFalse();

      Resp up = a.patch("/api/v1/flags/segments/" + s.data().getString("id"), adminA, new JsonObject()
          .put("constraints", inRule("brandId", "brand-7", "brand-9").getJsonArray("constraints")).encode());
      assertThat(up.status()).as(up.toString()).isEqualTo(200);
      assertThat(Poll.until(1_000, () -> evaluation(b, brand9, "brand-feature").getBoolean("enabled")))
          .as("the segment change on A turns the flag on for brand-9 on B within 1 s").isTrue();
    }
  }
}
