package dev.systemtables.flags;

import dev.systemtables.testing.Resp;
import dev.systemtables.testing.TestApp;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Feature flags over HTTP: admin CRUD with audit, evaluation for callers, secrecy")
class FlagsApiTest {

  static final AtomicInteger SEQ = new AtomicInteger();
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

  static String uniqueName(String base) {
    return base + "-" + SEQ.incrementAndGet();
  }

  static JsonObject create(JsonObject body) {
    Resp r = app.post("/api/v1/flags", admin, body.encode());
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.data();
  }

  static boolean enabledFor(String token, String name) {
    Resp r = app.get("/api/v1/flags/" + name + "/enabled", token);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return r.data().getBoolean("enabled");
  }

  static String tokenOf(String sub, String role, String brandId, String creatorId) {
    JsonObject claims = new JsonObject().put("sub", sub).put("role", role);
    if (brandId != null) claims.put("brandId", brandId);
    if (creatorId != null) claims.put("creatorId", creatorId);
    return app.token(claims);
  }

  // ---- CRUD ----

  @Test
  @DisplayName("Create answers 201 with the whole flag, defaults filled in and createdBy from the token")
  void createWithDefaults() {
    String name = uniqueName("defaults");
    JsonObject f = create(new JsonObject().put("name", name));
    assertThat(f.getString("id")).isNotBlank();
    assertThat(f.getString("name")).isEqualTo(name);
    assertThat(f.getBoolean("enabled")).isFalse();
    assertThat(f.getInteger("rolloutPercentage")).isZero();
    assertThat(f.getValue("description")).isNull();
    assertThat(f.getValue("conditions")).isNull();
    assertThat(f.getString("createdBy")).isEqualTo("admin-1");
    assertThat(f.getString("updatedBy")).isEqualTo("admin-1");
    assertThat(f.getString("createdAt")).endsWith("Z");
    assertThat(f.getString("updatedAt")).endsWith("Z");
    assertThat(f.fieldNames()).containsExactlyInAnyOrder("id", "name", "enabled", "description", "rolloutPercentage",
        "conditions", "type", "variants", "rules", "dependencies", "defaultVariant", "createdBy", "updatedBy",
        "createdAt", "updatedAt");
    // A new flag is a legacy boolean flag, as before: no rules, no variants, no dependencies.
    assertThat(f.getString("type")).isEqualTo("boolean");
    assertThat(f.getValue("rules")).isNull();
    assertThat(f.getJsonArray("variants")).isEmpty();
    assertThat(f.getJsonArray("dependencies")).isEmpty();
  }

  @Test
  @DisplayName("A taken name answers 409 FLAG_NAME_TAKEN, on create and on rename")
  void nameTaken() {
    String name = uniqueName("taken");
    create(new JsonObject().put("name", name));
    Resp again = app.post("/api/v1/flags", admin, new JsonObject().put("name", name).encode());
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.json().getString("code")).isEqualTo("FLAG_NAME_TAKEN");
    assertThat(again.json().getString("detail")).contains(name);

    JsonObject other = create(new JsonObject().put("name", uniqueName("other")));
    Resp rename = app.patch("/api/v1/flags/" + other.getString("id"), admin, new JsonObject().put("name", name).encode());
    assertThat(rename.status()).isEqualTo(409);
    assertThat(rename.json().getString("code")).isEqualTo("FLAG_NAME_TAKEN");
  }

  static Stream<Arguments> invalidCreates() {
    return Stream.of(
        Arguments.of("no name", "{}", "name is required"),
        Arguments.of("name not a string", "{\"name\": 5}", "name must be a string"),
        Arguments.of("name too short", "{\"name\": \"ab\"}", "name must be 3–100"),
        Arguments.of("name too long", "{\"name\": \"" + "a".repeat(101) + "\"}", "name must be 3–100"),
        Arguments.of("name not kebab-case", "{\"name\": \"New_Flag\"}", "name must be lowercase kebab-case"),
        Arguments.of("description over 500", "{\"name\": \"desc-long\", \"description\": \"" + "d".repeat(501) + "\"}",
            "description must be at most 500"),
        Arguments.of("rollout over 100", "{\"name\": \"roll-high\", \"rolloutPercentage\": 101}", "rolloutPercentage"),
        Arguments.of("rollout below 0", "{\"name\": \"roll-low\", \"rolloutPercentage\": -1}", "rolloutPercentage"),
        Arguments.of("rollout not an integer", "{\"name\": \"roll-frac\", \"rolloutPercentage\": 12.5}",
            "rolloutPercentage must be an integer"),
        Arguments.of("rollout a string", "{\"name\": \"roll-str\", \"rolloutPercentage\": \"50\"}",
            "rolloutPercentage must be an integer"),
        Arguments.of("enabled not a boolean", "{\"name\": \"en-str\", \"enabled\": \"yes\"}", "enabled must be a boolean"),
        Arguments.of("unknown role", "{\"name\": \"bad-role\", \"conditions\": {\"userRoles\": [\"ADMIN\", \"ROOT\"]}}",
            "conditions.userRoles[1] 'ROOT' is not a role"),
        Arguments.of("conditions not an object", "{\"name\": \"cond-arr\", \"conditions\": []}",
            "conditions must be an object"),
        Arguments.of("unknown condition", "{\"name\": \"cond-typo\", \"conditions\": {\"brandId\": [\"b\"]}}",
            "conditions.brandId is not a known condition"),
        Arguments.of("brandIds not strings", "{\"name\": \"cond-num\", \"conditions\": {\"brandIds\": [7]}}",
            "conditions.brandIds[0] must be a string"),
        Arguments.of("custom condition an array", "{\"name\": \"cond-cust\", \"conditions\": "
            + "{\"customConditions\": {\"plan\": [\"pro\"]}}}", "conditions.customConditions.plan"),
        Arguments.of("unknown field", "{\"name\": \"typo-field\", \"rollout\": 5}", "rollout is not a field"));
  }

  @ParameterizedTest(name = "{0} → 400")
  @MethodSource("invalidCreates")
  @DisplayName("Every invalid create answers 400 naming the field, and creates nothing")
  void invalidCreate(String what, String body, String detail) {
    Resp r = app.post("/api/v1/flags", admin, body);
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(r.header("Content-Type")).isEqualTo("application/problem+json");
    assertThat(r.json().getString("code")).isEqualTo("VALIDATION_FAILED");
    assertThat(r.json().getString("detail")).contains(detail);
    JsonArray all = app.get("/api/v1/flags", admin).json().getJsonArray("data");
    for (int i = 0; i < all.size(); i++) {
      assertThat(all.getJsonObject(i).getString("name")).doesNotStartWith("desc-long").doesNotStartWith("roll-")
          .doesNotStartWith("bad-role").doesNotStartWith("cond-").doesNotStartWith("typo-field");
    }
  }

  @Test
  @DisplayName("Malformed JSON answers 400, not 500")
  void malformedJson() {
    Resp r = app.post("/api/v1/flags", admin, "{\"name\": ");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().getString("code")).isEqualTo("MALFORMED_JSON");
  }

  @Test
  @DisplayName("PATCH changes only the fields given; conditions: null clears them; updatedBy follows the token")
  void partialUpdate() {
    String name = uniqueName("partial");
    JsonObject conditions = new JsonObject().put("brandIds", new JsonArray().add("b1"));
    JsonObject f = create(new JsonObject().put("name", name).put("description", "first").put("enabled", true)
        .put("rolloutPercentage", 10).put("conditions", conditions));
    String id = f.getString("id");
    String admin2 = app.token("admin-2", "ADMIN");

    Resp r = app.patch("/api/v1/flags/" + id, admin2, new JsonObject().put("rolloutPercentage", 25).encode());
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    JsonObject after = r.data();
    assertThat(after.getInteger("rolloutPercentage")).isEqualTo(25);
    assertThat(after.getString("name")).isEqualTo(name);
    assertThat(after.getBoolean("enabled")).isTrue();
    assertThat(after.getString("description")).isEqualTo("first");
    assertThat(after.getJsonObject("conditions")).isEqualTo(conditions);
    assertThat(after.getString("createdBy")).isEqualTo("admin-1");
    assertThat(after.getString("updatedBy")).isEqualTo("admin-2");
    assertThat(after.getString("createdAt")).isEqualTo(f.getString("createdAt"));

    JsonObject cleared = app.patch("/api/v1/flags/" + id, admin, "{\"conditions\": null, \"description\": null}").data();
    assertThat(cleared.getValue("conditions")).isNull();
    assertThat(cleared.getValue("description")).isNull();
    assertThat(cleared.getInteger("rolloutPercentage")).isEqualTo(25);

    // Sending back what GET returned (with its read-only fields) is accepted.
    JsonObject roundTrip = cleared.copy().put("enabled", false);
    Resp back = app.patch("/api/v1/flags/" + id, admin, roundTrip.encode());
    assertThat(back.status()).as(back.toString()).isEqualTo(200);
    assertThat(back.data().getBoolean("enabled")).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"{}", "{\"name\": null}", "{\"enabled\": null}", "{\"rolloutPercentage\": null}",
      "{\"rolloutPercentage\": 150}", "{\"name\": \"Bad Name\"}", "{\"conditions\": {\"userRoles\": [\"OWNER\"]}}",
      "{\"description\": 12}", "{\"colour\": \"red\"}"})
  @DisplayName("An invalid PATCH answers 400 and changes nothing")
  void invalidPatch(String body) {
    JsonObject f = create(new JsonObject().put("name", uniqueName("patch-bad")).put("rolloutPercentage", 40));
    Resp r = app.patch("/api/v1/flags/" + f.getString("id"), admin, body);
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(r.json().getString("code")).isEqualTo("VALIDATION_FAILED");
    JsonObject now = findByName(f.getString("name"));
    assertThat(now).isEqualTo(f);
  }

  @Test
  @DisplayName("PATCH and DELETE of an unknown id answer 404; DELETE answers 204 once")
  void unknownIdsAndDelete() {
    assertThat(app.patch("/api/v1/flags/nope", admin, "{\"enabled\": true}").status()).isEqualTo(404);
    assertThat(app.delete("/api/v1/flags/nope", admin).status()).isEqualTo(404);
    assertThat(app.get("/api/v1/flags/nope/audit", admin).status()).isEqualTo(404);

    String name = uniqueName("deleted");
    JsonObject f = create(new JsonObject().put("name", name).put("enabled", true).put("rolloutPercentage", 100));
    assertThat(enabledFor(admin, name)).isTrue();
    Resp d = app.delete("/api/v1/flags/" + f.getString("id"), admin);
    assertThat(d.status()).isEqualTo(204);
    assertThat(d.body()).isEmpty();
    assertThat(app.delete("/api/v1/flags/" + f.getString("id"), admin).status()).isEqualTo(404);
    assertThat(findByName(name)).isNull();
    assertThat(enabledFor(admin, name)).isFalse();
  }

  @Test
  @DisplayName("The admin list holds every flag with its conditions, by name, with a total")
  void list() {
    String name = uniqueName("listed");
    JsonObject conditions = new JsonObject().put("userIds", new JsonArray().add("vip-1"));
    create(new JsonObject().put("name", name).put("conditions", conditions));
    Resp r = app.get("/api/v1/flags", admin);
    assertThat(r.status()).isEqualTo(200);
    JsonArray data = r.json().getJsonArray("data");
    assertThat(r.json().getJsonObject("meta").getInteger("total")).isEqualTo(data.size());
    assertThat(findByName(name).getJsonObject("conditions")).isEqualTo(conditions);
    List<String> names = data.stream().map(o -> ((JsonObject) o).getString("name")).toList();
    assertThat(names).isSorted();
  }

  @Test
  @DisplayName("Create, update and delete each leave an audit row: who, when, action, before and after, newest first")
  void auditTrail() {
    String name = uniqueName("audited");
    JsonObject created = create(new JsonObject().put("name", name).put("rolloutPercentage", 5));
    String id = created.getString("id");
    JsonObject updated = app.patch("/api/v1/flags/" + id, app.token("admin-2", "ADMIN"),
        "{\"rolloutPercentage\": 50, \"enabled\": true}").data();
    assertThat(app.delete("/api/v1/flags/" + id, app.token("admin-3", "ADMIN")).status()).isEqualTo(204);

    Resp r = app.get("/api/v1/flags/" + id + "/audit", admin);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    JsonArray entries = r.json().getJsonArray("data");
    assertThat(entries).hasSize(3);
    assertThat(r.json().getJsonObject("meta").getInteger("total")).isEqualTo(3);

    JsonObject delete = entries.getJsonObject(0);
    JsonObject update = entries.getJsonObject(1);
    JsonObject create = entries.getJsonObject(2);
    assertThat(List.of(delete.getString("action"), update.getString("action"), create.getString("action")))
        .containsExactly("DELETE", "UPDATE", "CREATE");
    assertThat(List.of(delete.getString("actor"), update.getString("actor"), create.getString("actor")))
        .containsExactly("admin-3", "admin-2", "admin-1");

    assertThat(create.getValue("before")).isNull();
    assertThat(create.getJsonObject("after")).isEqualTo(created);
    assertThat(update.getJsonObject("before")).isEqualTo(created);
    assertThat(update.getJsonObject("after")).isEqualTo(updated);
    assertThat(update.getJsonObject("before").getInteger("rolloutPercentage")).isEqualTo(5);
    assertThat(update.getJsonObject("after").getInteger("rolloutPercentage")).isEqualTo(50);
    assertThat(delete.getJsonObject("before")).isEqualTo(updated);
    assertThat(delete.getValue("after")).isNull();
    for (int i = 0; i < 3; i++) {
      JsonObject e = entries.getJsonObject(i);
      assertThat(e.getString("flagId")).isEqualTo(id);
      assertThat(e.getString("flagName")).isEqualTo(name);
      assertThat(e.getString("createdAt")).endsWith("Z");
    }
    assertThat(create.getString("createdAt")).isLessThanOrEqualTo(update.getString("createdAt"));
    assertThat(update.getString("createdAt")).isLessThanOrEqualTo(delete.getString("createdAt"));
  }

  @Test
  @DisplayName("A failed write leaves no audit row: audit and write share one transaction")
  void failedWriteNoAudit() {
    String name = uniqueName("atomic");
    JsonObject f = create(new JsonObject().put("name", name));
    String taken = uniqueName("atomic-taken");
    create(new JsonObject().put("name", taken));
    assertThat(app.patch("/api/v1/flags/" + f.getString("id"), admin, new JsonObject().put("name", taken).encode())
        .status()).isEqualTo(409);
    JsonArray entries = app.get("/api/v1/flags/" + f.getString("id") + "/audit", admin).json().getJsonArray("data");
    assertThat(entries).hasSize(1);
    assertThat(entries.getJsonObject(0).getString("action")).isEqualTo("CREATE");
  }

  // ---- evaluation ----

  @Test
  @DisplayName("brandIds: a caller of a listed brand matches; another brand or no brandId does not")
  void brandTargeting() {
    String name = uniqueName("brand-only");
    create(new JsonObject().put("name", name).put("enabled", true).put("rolloutPercentage", 100)
        .put("conditions", new JsonObject().put("brandIds", new JsonArray().add("b1"))));
    assertThat(enabledFor(tokenOf("u-b1", "BRAND", "b1", null), name)).isTrue();
    assertThat(enabledFor(tokenOf("u-b2", "BRAND", "b2", null), name)).isFalse();
    assertThat(enabledFor(tokenOf("u-nobrand", "BRAND", null, null), name)).isFalse();
  }

  @Test
  @DisplayName("creatorIds: a caller without creatorId does not match")
  void creatorTargeting() {
    String name = uniqueName("creator-only");
    create(new JsonObject().put("name", name).put("enabled", true).put("rolloutPercentage", 100)
        .put("conditions", new JsonObject().put("creatorIds", new JsonArray().add("c1"))));
    assertThat(enabledFor(tokenOf("u-c1", "CREATOR", null, "c1"), name)).isTrue();
    assertThat(enabledFor(tokenOf("u-c2", "CREATOR", null, "c2"), name)).isFalse();
    assertThat(enabledFor(tokenOf("u-nocreator", "CREATOR", null, null), name)).isFalse();
  }

  @Test
  @DisplayName("userRoles: only the listed roles match")
  void roleTargeting() {
    String name = uniqueName("roles");
    create(new JsonObject().put("name", name).put("enabled", true).put("rolloutPercentage", 100)
        .put("conditions", new JsonObject().put("userRoles", new JsonArray().add("CREATOR"))));
    assertThat(enabledFor(app.token("r-creator", "CREATOR"), name)).isTrue();
    assertThat(enabledFor(app.token("r-viewer", "VIEWER"), name)).isFalse();
  }

  @Test
  @DisplayName("customConditions compare with request context and token claims; claims cannot be overridden")
  void customConditions() {
    String name = uniqueName("custom");
    create(new JsonObject().put("name", name).put("enabled", true).put("rolloutPercentage", 100)
        .put("conditions", new JsonObject().put("customConditions",
            new JsonObject().put("plan", "pro").put("region", "eu"))));
    String token = app.token(new JsonObject().put("sub", "cust-1").put("role", "VIEWER").put("region", "eu"));
    String other = app.token(new JsonObject().put("sub", "cust-2").put("role", "VIEWER").put("region", "us"));

    assertThat(evaluate(token, new JsonObject().put("flags", new JsonArray().add(name))
        .put("context", new JsonObject().put("plan", "pro"))).getBoolean(name)).isTrue();
    assertThat(evaluate(token, new JsonObject().put("flags", new JsonArray().add(name))
        .put("context", new JsonObject().put("plan", "free"))).getBoolean(name)).isFalse();
    assertThat(enabledFor(token, name)).as("plan missing from context").isFalse();
    // The token says region us: a request claiming eu does not change that.
    assertThat(evaluate(other, new JsonObject().put("flags", new JsonArray().add(name))
        .put("context", new JsonObject().put("plan", "pro").put("region", "eu"))).getBoolean(name)).isFalse();
  }

  @Test
  @DisplayName("userIds skip the rollout; rollout 0 enables nobody else and 100 everybody")
  void userIdsAndRollouts() {
    String zero = uniqueName("zero");
    String hundred = uniqueName("hundred");
    create(new JsonObject().put("name", zero).put("enabled", true).put("rolloutPercentage", 0)
        .put("conditions", new JsonObject().put("userIds", new JsonArray().add("vip"))));
    create(new JsonObject().put("name", hundred).put("enabled", true).put("rolloutPercentage", 100));
    assertThat(enabledFor(app.token("vip", "VIEWER"), zero)).isTrue();
    for (int i = 0; i < 20; i++) {
      String t = app.token("roll-" + i, "VIEWER");
      assertThat(enabledFor(t, zero)).isFalse();
      assertThat(enabledFor(t, hundred)).isTrue();
    }
  }

  @Test
  @DisplayName("A partial rollout answers by the caller's bucket")
  void rolloutByBucket() {
    // bucket("checkout-v2", "0") = 51 and bucket("checkout-v2", "9999") = 11 (see BucketingTest)
    create(new JsonObject().put("name", "checkout-v2").put("enabled", true).put("rolloutPercentage", 50));
    assertThat(enabledFor(app.token("0", "VIEWER"), "checkout-v2")).isFalse();
    assertThat(enabledFor(app.token("9999", "VIEWER"), "checkout-v2")).isTrue();
  }

  @Test
  @DisplayName("GET /flags/enabled answers every flag; evaluate answers the names asked (unknown → false)")
  void allAndSelected() {
    String on = uniqueName("all-on");
    String off = uniqueName("all-off");
    create(new JsonObject().put("name", on).put("enabled", true).put("rolloutPercentage", 100));
    create(new JsonObject().put("name", off));
    String viewer = app.token("lister", "VIEWER");
    Resp all = app.get("/api/v1/flags/enabled", viewer);
    assertThat(all.status()).isEqualTo(200);
    JsonObject flags = all.data().getJsonObject("flags");
    assertThat(flags.getBoolean(on)).isTrue();
    assertThat(flags.getBoolean(off)).isFalse();
    assertThat(flags.size()).isEqualTo(app.get("/api/v1/flags", admin).json().getJsonArray("data").size());

    JsonObject selected = evaluate(viewer, new JsonObject().put("flags", new JsonArray().add(on).add("no-such-flag")));
    assertThat(selected).isEqualTo(new JsonObject().put(on, true).put("no-such-flag", false));
    assertThat(evaluate(viewer, new JsonObject()).size()).isEqualTo(flags.size());
    assertThat(enabledFor(viewer, "no-such-flag")).isFalse();
  }

  @Test
  @DisplayName("Paths do not collide: a flag named 'enabled' or 'evaluate' is evaluated by name")
  void routeOrder() {
    create(new JsonObject().put("name", "enabled").put("enabled", true).put("rolloutPercentage", 100));
    create(new JsonObject().put("name", "evaluate").put("enabled", true).put("rolloutPercentage", 100));
    String viewer = app.token("paths", "VIEWER");
    assertThat(enabledFor(viewer, "enabled")).isTrue();
    assertThat(enabledFor(viewer, "evaluate")).isTrue();
    assertThat(app.get("/api/v1/flags/enabled", viewer).data().containsKey("flags")).isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"{\"flags\": \"x\"}", "{\"flags\": [1]}", "{\"context\": [1]}", "{\"flag\": [\"x\"]}", "[]"})
  @DisplayName("A malformed evaluation request answers 400")
  void invalidEvaluate(String body) {
    Resp r = app.post("/api/v1/flags/evaluate", app.token("bad-eval", "VIEWER"), body);
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
  }

  // ---- secrecy ----

  static Stream<Arguments> adminCalls() {
    return Stream.of(
        Arguments.of("GET", "/api/v1/flags", null),
        Arguments.of("POST", "/api/v1/flags", "{\"name\": \"sneaky-flag\", \"enabled\": true}"),
        Arguments.of("PATCH", "/api/v1/flags/ID", "{\"enabled\": false}"),
        Arguments.of("DELETE", "/api/v1/flags/ID", null),
        Arguments.of("GET", "/api/v1/flags/ID/audit", null));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("adminCalls")
  @DisplayName("Admin endpoints answer 403 to CREATOR, BRAND, VIEWER and SERVICE and change nothing")
  void adminOnly(String method, String path, String body) {
    JsonObject f = create(new JsonObject().put("name", uniqueName("guarded")).put("enabled", true)
        .put("rolloutPercentage", 100));
    for (String role : List.of("CREATOR", "BRAND", "VIEWER", "SERVICE")) {
      Resp r = app.send(method, path.replace("ID", f.getString("id")), app.token("x-" + role, role), body,
          java.util.Map.of());
      assertThat(r.status()).as(role + " " + r).isEqualTo(403);
      assertThat(r.json().getString("code")).isEqualTo("FORBIDDEN");
      assertThat(r.body()).doesNotContain(f.getString("id"));
    }
    assertThat(findByName(f.getString("name"))).isEqualTo(f);
    assertThat(findByName("sneaky-flag")).isNull();
  }

  @Test
  @DisplayName("Non-admins get booleans only: no conditions, no ids, no other users")
  void secrecy() {
    String name = uniqueName("secret");
    JsonObject f = create(new JsonObject().put("name", name).put("enabled", true).put("rolloutPercentage", 0)
        .put("description", "internal roadmap item")
        .put("conditions", new JsonObject().put("userIds", new JsonArray().add("other-user-42"))
            .put("brandIds", new JsonArray().add("secret-brand"))));
    String viewer = tokenOf("curious", "BRAND", "secret-brand", null);
    List<Resp> answers = List.of(
        app.get("/api/v1/flags/" + name + "/enabled", viewer),
        app.get("/api/v1/flags/enabled", viewer),
        app.post("/api/v1/flags/evaluate", viewer, new JsonObject().put("flags", new JsonArray().add(name)).encode()));
    for (Resp r : answers) {
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).doesNotContain("other-user-42", "secret-brand", f.getString("id"), "internal roadmap",
          "conditions", "admin-1", "rolloutPercentage");
    }
    assertThat(answers.get(0).data().fieldNames()).containsExactly("enabled");
    JsonObject all = answers.get(1).data().getJsonObject("flags");
    all.forEach(e -> assertThat(e.getValue()).isInstanceOf(Boolean.class));
  }

  // ---- browser signal ----

  @Test
  @DisplayName("Each change publishes {event: flags.changed, names} once on the node's flags.changed address")
  void browserSignal() throws Exception {
    List<JsonObject> received = new CopyOnWriteArrayList<>();
    MessageConsumer<JsonObject> consumer = app.app().vertx().eventBus()
        .consumer(dev.systemtables.push.BrowserAddresses.FLAGS_CHANGED, m -> received.add(m.body()));
    consumer.completion().await();
    try {
      String name = uniqueName("signalled");
      JsonObject f = create(new JsonObject().put("name", name));
      assertThat(Poll.until(5_000, () -> received.stream().anyMatch(m -> m.getJsonArray("names").contains(name))))
          .isTrue();
      String renamed = uniqueName("renamed");
      app.patch("/api/v1/flags/" + f.getString("id"), admin, new JsonObject().put("name", renamed).encode());
      assertThat(Poll.until(5_000, () -> received.stream().anyMatch(m -> m.getJsonArray("names").contains(renamed))))
          .isTrue();
      Thread.sleep(300); // room for a duplicate to show up, if there were one
      List<JsonObject> forCreate = received.stream()
          .filter(m -> m.getJsonArray("names").equals(new JsonArray().add(name))).toList();
      assertThat(forCreate).containsExactly(new JsonObject().put("event", "flags.changed")
          .put("names", new JsonArray().add(name)));
      List<JsonObject> forRename = received.stream().filter(m -> m.getJsonArray("names").contains(renamed)).toList();
      assertThat(forRename).hasSize(1);
      assertThat(forRename.get(0).getJsonArray("names")).containsExactly(name, renamed);
      assertThat(received).allSatisfy(m -> assertThat(m.fieldNames()).containsExactlyInAnyOrder("event", "names"));
    } finally {
      consumer.unregister().await();
    }
  }

  // ---- helpers ----

  static JsonObject evaluate(String token, JsonObject body) {
    Resp r = app.post("/api/v1/flags/evaluate", token, body.encode());
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return r.data().getJsonObject("flags");
  }

  static JsonObject findByName(String name) {
    JsonArray all = app.get("/api/v1/flags", admin).json().getJsonArray("data");
    for (int i = 0; i < all.size(); i++) {
      if (all.getJsonObject(i).getString("name").equals(name)) return all.getJsonObject(i);
    }
    return null;
  }
}
