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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Segments over HTTP: admin CRUD with audit, checks naming the field, and every node reloading")
class SegmentsApiTest {

  static final AtomicInteger SEQ = new AtomicInteger();
  static TestApp app;
  static String admin;

  @BeforeAll
  static void start() {
    app = TestApp.start();
    admin = app.token("seg-admin", "ADMIN");
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  static JsonObject beta() {
    return new JsonObject().put("contextName", "appVersion").put("operator", "SEMVER_GTE").put("value", "2.0.0");
  }

  static JsonObject createSegment(TestApp node, JsonObject body) {
    Resp r = node.post("/api/v1/flags/segments", node.token("seg-admin", "ADMIN"), body.encode());
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.data();
  }

  @Test
  @DisplayName("Create (201), list, update (200), audit and delete (204) a segment; constraints come back in full form")
  void crud() {
    String name = "Beta users " + SEQ.incrementAndGet();
    JsonObject s = createSegment(app, new JsonObject().put("name", name).put("description", "v2 apps")
        .put("constraints", new JsonArray().add(beta())));
    assertThat(s.getString("id")).isNotBlank();
    assertThat(s.getString("createdBy")).isEqualTo("seg-admin");
    assertThat(s.getJsonArray("constraints")).containsExactly(new JsonObject().put("contextName", "appVersion")
        .put("operator", "SEMVER_GTE").put("values", new JsonArray()).put("value", "2.0.0").put("inverted", false)
        .put("caseInsensitive", false));

    Resp taken = app.post("/api/v1/flags/segments", admin, new JsonObject().put("name", name).encode());
    assertThat(taken.status()).isEqualTo(409);
    assertThat(taken.json().getString("detail")).contains("name").contains(name);

    JsonArray all = app.get("/api/v1/flags/segments", admin).json().getJsonArray("data");
    assertThat(all.stream().map(o -> ((JsonObject) o).getString("name"))).contains(name);

    String admin2 = app.token("seg-admin-2", "ADMIN");
    Resp up = app.patch("/api/v1/flags/segments/" + s.getString("id"), admin2, new JsonObject()
        .put("constraints", new JsonArray().add(beta().put("value", "3.0.0").put("inverted", true))).encode());
    assertThat(up.status()).as(up.toString()).isEqualTo(200);
    assertThat(up.data().getString("description")).isEqualTo("v2 apps");
    assertThat(up.data().getString("updatedBy")).isEqualTo("seg-admin-2");
    assertThat(up.data().getJsonArray("constraints").getJsonObject(0).getBoolean("inverted")).isTrue();
    assertThat(app.app().node().flags().current().segment(name).constraints().get(0).value())
        .as("this node read its own write").isEqualTo("3.0.0");

    assertThat(app.delete("/api/v1/flags/segments/" + s.getString("id"), admin).status()).isEqualTo(204);
    assertThat(app.app().node().flags().current().segment(name)).isNull();
    Resp audit = app.get("/api/v1/flags/segments/" + s.getString("id") + "/audit", admin);
    assertThat(audit.status()).isEqualTo(200);
    JsonArray entries = audit.json().getJsonArray("data");
    assertThat(entries.stream().map(o -> ((JsonObject) o).getString("action"))).containsExactly("DELETE", "UPDATE", "CREATE");
    assertThat(entries.getJsonObject(1).getString("actor")).isEqualTo("seg-admin-2");
    assertThat(entries.getJsonObject(1).getJsonObject("before").getJsonArray("constraints").getJsonObject(0)
        .getString("value")).isEqualTo("2.0.0");
    assertThat(entries.getJsonObject(0).getValue("after")).isNull();

    assertThat(app.patch("/api/v1/flags/segments/nope", admin, "{\"description\": \"x\"}").status()).isEqualTo(404);
    assertThat(app.delete("/api/v1/flags/segments/nope", admin).status()).isEqualTo(404);
    assertThat(app.get("/api/v1/flags/segments/nope/audit", admin).status()).isEqualTo(404);
  }

  static Stream<Arguments> badSegments() {
    return Stream.of(
        Arguments.of("no name", "{}", "name is required"),
        Arguments.of("blank name", "{\"name\": \"  \"}", "name must not be empty"),
        Arguments.of("long name", "{\"name\": \"" + "n".repeat(101) + "\"}", "name must be at most 100"),
        Arguments.of("unknown field", "{\"name\": \"x1\", \"rules\": []}", "rules is not a field of a segment"),
        Arguments.of("constraints not a list", "{\"name\": \"x2\", \"constraints\": {}}", "constraints"),
        Arguments.of("constraint not an object", "{\"name\": \"x3\", \"constraints\": [1]}", "constraints[0]"),
        Arguments.of("unknown operator", "{\"name\": \"x4\", \"constraints\": [{\"contextName\": \"a\", \"operator\": \"LIKE\","
            + " \"values\": [\"x\"]}]}", "constraints[0].operator 'LIKE' is not an operator"),
        Arguments.of("no context name", "{\"name\": \"x5\", \"constraints\": [{\"operator\": \"IN\", \"values\": [\"x\"]}]}",
            "constraints[0].contextName is required"),
        Arguments.of("IN without values", "{\"name\": \"x6\", \"constraints\": [{\"contextName\": \"a\", \"operator\": \"IN\"}]}",
            "constraints[0].values must hold at least one value"),
        Arguments.of("NUM without value", "{\"name\": \"x7\", \"constraints\": [{\"contextName\": \"a\", \"operator\": \"NUM_GT\"}]}",
            "constraints[0].value is required"),
        Arguments.of("value not a string", "{\"name\": \"x8\", \"constraints\": [{\"contextName\": \"a\", \"operator\": \"IN\","
            + " \"values\": [1]}]}", "constraints[0].values[0] must be a string"),
        Arguments.of("inverted not a boolean", "{\"name\": \"x9\", \"constraints\": [{\"contextName\": \"a\", \"operator\": \"IN\","
            + " \"values\": [\"x\"], \"inverted\": \"yes\"}]}", "constraints[0].inverted must be a boolean"),
        Arguments.of("unknown constraint field", "{\"name\": \"x10\", \"constraints\": [{\"contextName\": \"a\", \"operator\": \"IN\","
            + " \"values\": [\"x\"], \"negate\": true}]}", "constraints[0].negate is not a field of a constraint"),
        // Operands a rule's constraint refuses are refused here too: the evaluator would treat them as never true.
        Arguments.of("NUM value not a number", "{\"name\": \"x11\", \"constraints\": [{\"contextName\": \"a\", \"operator\": \"NUM_GT\","
            + " \"value\": \"ten\"}]}", "constraints[0].value must be a number"),
        Arguments.of("DATE value not a date", "{\"name\": \"x12\", \"constraints\": [{\"contextName\": \"currentTime\","
            + " \"operator\": \"DATE_AFTER\", \"value\": \"tomorrow\"}]}", "constraints[0].value must be an ISO-8601 date-time"),
        Arguments.of("SEMVER value not a version", "{\"name\": \"x13\", \"constraints\": [{\"contextName\": \"appVersion\","
            + " \"operator\": \"SEMVER_GT\", \"value\": \"v1\"}]}", "constraints[0].value must be a semantic version"),
        Arguments.of("REGEX that does not compile", "{\"name\": \"x14\", \"constraints\": [{\"contextName\": \"a\","
            + " \"operator\": \"IN\", \"values\": [\"x\"]}, {\"contextName\": \"a\", \"operator\": \"REGEX\", \"values\": [\"(\"]}]}",
            "constraints[1].values[0] is not a valid regular expression"));
  }

  @ParameterizedTest(name = "{0} → 400")
  @MethodSource("badSegments")
  @DisplayName("An invalid segment answers 400 naming the field, and creates nothing")
  void badSegment(String what, String body, String detail) {
    int before = app.get("/api/v1/flags/segments", admin).json().getJsonArray("data").size();
    Resp r = app.post("/api/v1/flags/segments", admin, body);
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(r.json().getString("detail")).contains(detail);
    assertThat(app.get("/api/v1/flags/segments", admin).json().getJsonArray("data").size()).isEqualTo(before);
  }

  @Test
  @DisplayName("A PATCH with an operand a rule would refuse is a 400 naming the field, and the segment keeps its constraints")
  void badOperandInPatch() {
    JsonObject s = createSegment(app, new JsonObject().put("name", "cidr-" + SEQ.incrementAndGet())
        .put("constraints", new JsonArray().add(beta())));
    Resp r = app.patch("/api/v1/flags/segments/" + s.getString("id"), admin,
        "{\"constraints\": [{\"contextName\": \"a\", \"operator\": \"IN_CIDR\", \"values\": [\"10.0.0.0/99\"]}]}");
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(r.json().getString("detail")).contains("constraints[0].values[0] must be an IP address or a CIDR range");
    JsonObject kept = app.get("/api/v1/flags/segments", admin).json().getJsonArray("data").stream()
        .map(JsonObject.class::cast).filter(x -> x.getString("id").equals(s.getString("id"))).findFirst().orElseThrow();
    assertThat(kept.getJsonArray("constraints")).isEqualTo(s.getJsonArray("constraints"));
  }

  @Test
  @DisplayName("A PATCH that changes nothing, or nulls the constraints, is a 400; non-admins get 403")
  void badPatchAndRoles() {
    JsonObject s = createSegment(app, new JsonObject().put("name", "patch-me-" + SEQ.incrementAndGet()));
    assertThat(app.patch("/api/v1/flags/segments/" + s.getString("id"), admin, "{}").status()).isEqualTo(400);
    Resp nulled = app.patch("/api/v1/flags/segments/" + s.getString("id"), admin, "{\"constraints\": null}");
    assertThat(nulled.status()).isEqualTo(400);
    assertThat(nulled.json().getString("detail")).contains("constraints");
    String service = app.token("svc-1", "SERVICE");
    String viewer = app.token("viewer-1", "VIEWER");
    assertThat(app.get("/api/v1/flags/segments", viewer).status()).isEqualTo(403);
    assertThat(app.get("/api/v1/flags/segments", service).status()).isEqualTo(403);
    assertThat(app.post("/api/v1/flags/segments", viewer, "{\"name\": \"nope\"}").status()).isEqualTo(403);
  }

  @Test
  @DisplayName("A segment change on one node is in a second node's snapshot within 1 s (no cluster, shared database)")
  void secondNode() {
    String db = TestDatabases.freshDatabase();
    try (TestApp a = TestApp.start(Map.of("DATABASE_URL", db), FlagPropagationTest.NO_PERIODIC_RELOAD);
         TestApp b = TestApp.start(Map.of("DATABASE_URL", db), FlagPropagationTest.NO_PERIODIC_RELOAD)) {
      JsonObject s = createSegment(a, new JsonObject().put("name", "brand-x-users")
          .put("constraints", new JsonArray().add(new JsonObject().put("contextName", "brandId").put("operator", "IN")
              .put("values", new JsonArray().add("brand-x")))));
      assertThat(Poll.until(1_000, () -> b.app().node().flags().current().segment("brand-x-users") != null))
          .as("creation on A seen by B within 1 s").isTrue();
      Resp up = a.patch("/api/v1/flags/segments/" + s.getString("id"), a.token("seg-admin", "ADMIN"),
          new JsonObject().put("constraints", new JsonArray().add(new JsonObject().put("contextName", "brandId")
              .put("operator", "IN").put("values", new JsonArray().add("brand-y")))).encode());
      assertThat(up.status()).as(up.toString()).isEqualTo(200);
      assertThat(Poll.until(1_000, () -> b.app().node().flags().current().segment("brand-x-users").constraints().get(0)
          .values().contains("brand-y"))).as("update on A seen by B within 1 s").isTrue();
    }
  }
}
