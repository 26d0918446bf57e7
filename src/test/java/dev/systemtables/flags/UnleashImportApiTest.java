package dev.systemtables.flags;

import dev.systemtables.testing.Resp;
import dev.systemtables.testing.TestApp;
import dev.systemtables.testing.TestDatabases;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("POST /flags/import: Unleash's client-API export in, flags and segments created or updated, idempotent")
class UnleashImportApiTest {

  String db;
  TestApp app;
  String admin;

  @BeforeEach
  void start() {
    db = TestDatabases.freshDatabase();
    app = TestApp.start(Map.of("DATABASE_URL", db));
    admin = app.token("import-admin", "ADMIN");
  }

  @AfterEach
  void stop() {
    app.close();
  }

  /** A small export as an Unleash server's GET /api/client/features gives it. */
  static JsonObject export() {
    JsonObject beta = new JsonObject().put("id", 1).put("name", "beta-testers").put("constraints", new JsonArray()
        .add(new JsonObject().put("contextName", "brandId").put("operator", "IN").put("values", new JsonArray().add("brand-7"))));
    JsonObject checkout = new JsonObject().put("name", "checkout-v2").put("enabled", true).put("type", "release")
        .put("project", "default")
        .put("strategies", new JsonArray().add(new JsonObject().put("name", "flexibleRollout")
            .put("parameters", new JsonObject().put("rollout", "100").put("stickiness", "default").put("groupId", "checkout-v2"))
            .put("constraints", new JsonArray().add(new JsonObject().put("contextName", "appVersion")
                .put("operator", "SEMVER_GTE").put("value", "2.0.0")))
            .put("segments", new JsonArray().add(1))))
        .put("variants", new JsonArray()
            .add(new JsonObject().put("name", "blue").put("weight", 1000).put("weightType", "variable")
                .put("stickiness", "default").put("payload", new JsonObject().put("type", "string").put("value", "#1565c0"))));
    JsonObject killSwitch = new JsonObject().put("name", "kill-switch").put("enabled", false)
        .put("strategies", new JsonArray().add(new JsonObject().put("name", "default")));
    JsonObject custom = new JsonObject().put("name", "custom-strategy").put("enabled", true)
        .put("strategies", new JsonArray().add(new JsonObject().put("name", "myOwnStrategy")
            .put("parameters", new JsonObject().put("foo", "bar"))));
    JsonObject badName = new JsonObject().put("name", "Bad_Name").put("enabled", true)
        .put("strategies", new JsonArray().add(new JsonObject().put("name", "default")));
    JsonObject child = new JsonObject().put("name", "checkout-extras").put("enabled", true)
        .put("strategies", new JsonArray().add(new JsonObject().put("name", "default")))
        .put("dependencies", new JsonArray().add(new JsonObject().put("feature", "checkout-v2").put("enabled", true)));
    return new JsonObject().put("version", 2)
        .put("features", new JsonArray().add(child).add(checkout).add(killSwitch).add(custom).add(badName))
        .put("segments", new JsonArray().add(beta));
  }

  Resp importIt(JsonObject doc) {
    return app.post("/api/v1/flags/import", admin, doc.encode());
  }

  long count(String sql) {
    try (Connection c = TestDatabases.jdbc(db); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static List<Object> list(JsonObject o, String group, String outcome) {
    return o.getJsonObject(group).getJsonArray(outcome).getList();
  }

  @Test
  @DisplayName("The first import creates, with one audit row each; a re-import changes nothing and audits nothing")
  void idempotent() {
    Resp first = importIt(export());
    assertThat(first.status()).as(first.toString()).isEqualTo(200);
    JsonObject r = first.data();
    assertThat(list(r, "flags", "created")).containsExactlyInAnyOrder("checkout-v2", "checkout-extras", "kill-switch",
        "custom-strategy");
    assertThat(list(r, "segments", "created")).containsExactly("beta-testers");
    assertThat(count("SELECT count(*) FROM feature_flag_audit WHERE source = 'import' AND action = 'CREATE'")).isEqualTo(4);
    assertThat(count("SELECT count(*) FROM flag_segment_audit WHERE source = 'import'")).isEqualTo(1);
    // What cannot be represented is listed, naming the feature: the unknown strategy and the refused name.
    JsonArray notes = r.getJsonArray("notRepresentable");
    assertThat(notes.stream().map(String::valueOf)).anyMatch(n -> n.contains("custom-strategy") && n.contains("myOwnStrategy"));
    assertThat(notes.stream().map(String::valueOf)).anyMatch(n -> n.contains("Bad_Name"));

    Resp again = importIt(export());
    assertThat(again.status()).as(again.toString()).isEqualTo(200);
    assertThat(list(again.data(), "flags", "created")).isEmpty();
    assertThat(list(again.data(), "flags", "updated")).isEmpty();
    assertThat(list(again.data(), "flags", "unchanged")).hasSize(4);
    assertThat(list(again.data(), "segments", "unchanged")).containsExactly("beta-testers");
    assertThat(count("SELECT count(*) FROM feature_flag_audit")).isEqualTo(4);
    assertThat(count("SELECT count(*) FROM flag_segment_audit")).isEqualTo(1);

    // One feature changed in Unleash: exactly that flag is updated and audited once more.
    JsonObject changed = export();
    changed.getJsonArray("features").getJsonObject(2).put("enabled", true);
    Resp third = importIt(changed);
    assertThat(list(third.data(), "flags", "updated")).containsExactly("kill-switch");
    assertThat(list(third.data(), "flags", "unchanged")).hasSize(3);
    assertThat(count("SELECT count(*) FROM feature_flag_audit WHERE source = 'import' AND action = 'UPDATE'")).isEqualTo(1);
  }

  @Test
  @DisplayName("Imported flags answer as in Unleash: rules, segments, variants and dependencies come along")
  void evaluatesAsImported() {
    assertThat(importIt(export()).status()).isEqualTo(200);
    JsonObject ctx = new JsonObject().put("userId", "u1").put("brandId", "brand-7")
        .put("properties", new JsonObject().put("appVersion", "2.1.0"));
    Resp r = app.post("/api/v1/flags/evaluations", admin, new JsonObject()
        .put("flags", new JsonArray().add("checkout-v2").add("checkout-extras").add("kill-switch")).put("context", ctx).encode());
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    JsonArray e = r.data().getJsonArray("evaluations");
    assertThat(e.getJsonObject(0).getString("value")).isEqualTo("#1565c0");
    assertThat(e.getJsonObject(0).getString("variant")).isEqualTo("blue");
    assertThat(e.getJsonObject(1).getBoolean("enabled")).as("its parent is on").isTrue();
    assertThat(e.getJsonObject(2).getString("reason")).isEqualTo("DISABLED");
    // Outside the segment (another brand) the rule does not match, and the child follows its parent.
    JsonObject other = ctx.copy().put("brandId", "brand-8");
    JsonArray e2 = app.post("/api/v1/flags/evaluations", admin, new JsonObject()
        .put("flags", new JsonArray().add("checkout-v2").add("checkout-extras")).put("context", other).encode())
        .data().getJsonArray("evaluations");
    assertThat(e2.getJsonObject(0).getBoolean("enabled")).isFalse();
    assertThat(e2.getJsonObject(1).getString("reason")).isEqualTo("DISABLED");
  }

  @Test
  @DisplayName("Not an Unleash document: 400 naming the field, nothing written; non-admins: 403")
  void badDocuments() {
    Resp r = importIt(new JsonObject().put("features", "nope"));
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(r.json().getString("detail")).contains("features");
    Resp badFeature = importIt(new JsonObject().put("features", new JsonArray().add(new JsonObject().put("enabled", true))));
    assertThat(badFeature.status()).isEqualTo(400);
    assertThat(badFeature.json().getString("detail")).contains("features[0].name");
    assertThat(count("SELECT count(*) FROM feature_flags")).isZero();
    assertThat(app.post("/api/v1/flags/import", app.token("svc", "SERVICE"), export().encode()).status()).isEqualTo(403);
    assertThat(app.post("/api/v1/flags/import", app.token("v", "VIEWER"), export().encode()).status()).isEqualTo(403);
  }
}
