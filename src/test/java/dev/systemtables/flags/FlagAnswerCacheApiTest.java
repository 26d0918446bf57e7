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

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code GET /flags/enabled} answers a caller asking again from its stored text ({@link FlagAnswers}); these tests
 * ask with the very same token again, so each second answer would be the stored one if the cache allowed it.
 */
@DisplayName("GET /flags/enabled keeps each caller's answer for the snapshot, and never serves one that may be stale")
class FlagAnswerCacheApiTest {

  static TestApp app;
  static String admin;

  @BeforeAll
  static void start() {
    // A reload every second: the test of unchanged reloads sees several, the others must not mind them.
    app = TestApp.start(Map.of(), new JsonObject().put("flags", new JsonObject().put("reloadSeconds", 1)));
    admin = app.token("cache-admin", "ADMIN");
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  static JsonObject create(TestApp node, String body) {
    Resp r = node.post("/api/v1/flags", node.token("cache-admin", "ADMIN"), body);
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.data();
  }

  static void delete(JsonObject flag) {
    assertThat(app.delete("/api/v1/flags/" + flag.getString("id"), admin).status()).isEqualTo(204);
  }

  static JsonObject all(TestApp node, String token) {
    Resp r = node.get("/api/v1/flags/enabled", token);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return r.data().getJsonObject("flags");
  }

  static long stored(TestApp node) {
    return node.app().node().flags().answers().stored();
  }

  @Test
  @DisplayName("A kill switch is seen on the caller's very next request, though its previous answer was stored")
  void killSwitchSameNode() {
    JsonObject flag = create(app, "{\"name\": \"cache-kill\", \"enabled\": true, \"rolloutPercentage\": 100}");
    try {
      String token = app.token("kill-user", "VIEWER");
      assertThat(all(app, token).getBoolean("cache-kill")).isTrue();
      assertThat(stored(app)).as("the answer was stored").isPositive();
      assertThat(all(app, token).getBoolean("cache-kill")).isTrue();

      Resp off = app.patch("/api/v1/flags/" + flag.getString("id"), admin, "{\"enabled\": false}");
      assertThat(off.status()).as(off.toString()).isEqualTo(200);
      // The writing node holds the change when PATCH answers (read-your-writes): no waiting allowed here.
      assertThat(all(app, token).getBoolean("cache-kill")).isFalse();
    } finally {
      delete(flag);
    }
  }

  @Test
  @DisplayName("On another node, the request right after its snapshot took the kill switch sees it")
  void killSwitchOtherNode() throws Exception {
    String db = TestDatabases.freshDatabase();
    JsonObject noPeriodicReload = new JsonObject().put("flags", new JsonObject().put("reloadSeconds", 3600));
    try (TestApp a = TestApp.start(Map.of("DATABASE_URL", db), noPeriodicReload);
         TestApp b = TestApp.start(Map.of("DATABASE_URL", db), noPeriodicReload)) {
      JsonObject flag = create(a, "{\"name\": \"remote-kill\", \"enabled\": true, \"rolloutPercentage\": 100}");
      assertThat(Poll.until(2_000, () -> b.app().node().flags().current().get("remote-kill") != null)).isTrue();
      String token = b.token("remote-user", "VIEWER");
      assertThat(all(b, token).getBoolean("remote-kill")).isTrue();
      assertThat(stored(b)).as("B stored the answer").isPositive();

      Resp off = a.patch("/api/v1/flags/" + flag.getString("id"), a.token("cache-admin", "ADMIN"), "{\"enabled\": false}");
      assertThat(off.status()).as(off.toString()).isEqualTo(200);
      assertThat(Poll.until(2_000, () -> !b.app().node().flags().current().get("remote-kill").enabled()))
          .as("B's snapshot took the change").isTrue();
      assertThat(all(b, token).getBoolean("remote-kill")).isFalse();
    }
  }

  @Test
  @DisplayName("Callers alike but for a claim a condition reads, or their brand, each get their own answer")
  void claimsAreKey() {
    JsonObject plan = create(app, """
        {"name": "cache-pro", "enabled": true, "rolloutPercentage": 100, "conditions": {"customConditions": {"plan": "pro"}}}""");
    JsonObject brand = create(app, """
        {"name": "cache-brand", "enabled": true, "rolloutPercentage": 100, "conditions": {"brandIds": ["b1"]}}""");
    try {
      String pro = app.token(new JsonObject().put("sub", "same-user").put("role", "BRAND").put("brandId", "b1")
          .put("plan", "pro"));
      String free = app.token(new JsonObject().put("sub", "same-user").put("role", "BRAND").put("brandId", "b1")
          .put("plan", "free"));
      String otherBrand = app.token(new JsonObject().put("sub", "same-user").put("role", "BRAND").put("brandId", "b2")
          .put("plan", "pro"));
      for (int round = 0; round < 2; round++) {
        assertThat(all(app, pro).getBoolean("cache-pro")).isTrue();
        assertThat(all(app, free).getBoolean("cache-pro")).isFalse();
        assertThat(all(app, pro).getBoolean("cache-brand")).isTrue();
        assertThat(all(app, otherBrand).getBoolean("cache-brand")).isFalse();
        assertThat(all(app, otherBrand).getBoolean("cache-pro")).isTrue();
      }
      assertThat(stored(app)).as("three callers' answers").isGreaterThanOrEqualTo(3);
    } finally {
      delete(plan);
      delete(brand);
    }
  }

  @Test
  @DisplayName("A DATE_AFTER flag flips for a repeat caller when the clock passes its date")
  void dateFlips() {
    Instant soon = Instant.now().plusSeconds(2).truncatedTo(ChronoUnit.MILLIS);
    JsonObject flag = create(app, new JsonObject().put("name", "cache-launch").put("enabled", true)
        .put("rules", new JsonArray().add(new JsonObject().put("constraints", new JsonArray().add(new JsonObject()
            .put("contextName", "currentTime").put("operator", "DATE_AFTER").put("value", soon.toString())))))
        .encode());
    try {
      String token = app.token("launch-user", "VIEWER");
      assertThat(all(app, token).getBoolean("cache-launch")).isFalse();
      assertThat(Poll.until(8_000, () -> all(app, token).getBoolean("cache-launch")))
          .as("on once %s has passed", soon).isTrue();
      assertThat(stored(app)).as("nothing stored while a flag reads the clock").isZero();
    } finally {
      delete(flag);
    }
  }

  @Test
  @DisplayName("A 50 % rollout on random stickiness is drawn anew for each request of the same caller")
  void randomNotFrozen() {
    JsonObject flag = create(app, """
        {"name": "cache-coin", "enabled": true, "rules": [{"rolloutPercentage": 50, "stickiness": "random"}]}""");
    try {
      String token = app.token("coin-user", "VIEWER");
      Set<Boolean> seen = new HashSet<>();
      // All 60 alike by chance: 2 in 2^60.
      for (int i = 0; i < 60 && seen.size() < 2; i++) seen.add(all(app, token).getBoolean("cache-coin"));
      assertThat(seen).containsExactlyInAnyOrder(true, false);
    } finally {
      delete(flag);
    }
  }

  @Test
  @DisplayName("A periodic reload that finds nothing changed keeps the stored answers")
  void unchangedReloadKeeps() {
    // Conditions with a number, a segment, weighted variants: every kind of value must read back equal.
    Resp seg = app.post("/api/v1/flags/segments", admin, """
        {"name": "steady-seg", "constraints": [{"contextName": "plan", "operator": "IN", "values": ["pro"]}]}""");
    assertThat(seg.status()).as(seg.toString()).isEqualTo(201);
    JsonObject legacy = create(app, """
        {"name": "cache-steady", "enabled": true, "rolloutPercentage": 40,
         "conditions": {"userRoles": ["VIEWER"], "customConditions": {"seats": 3, "beta": true}}}""");
    JsonObject ruled = create(app, """
        {"name": "cache-steady-rules", "enabled": true, "type": "string",
         "variants": [{"name": "a", "value": "x", "weight": 500}, {"name": "b", "value": "y", "weight": 500}],
         "defaultVariant": {"name": "none", "value": ""},
         "rules": [{"segments": ["steady-seg"], "rolloutPercentage": 60}]}""");
    try {
      String token = app.token(new JsonObject().put("sub", "steady-user").put("role", "VIEWER").put("plan", "pro")
          .put("seats", 3).put("beta", true));
      JsonObject first = all(app, token);
      FlagSnapshot before = app.app().node().flags().current();
      assertThat(stored(app)).isPositive();
      assertThat(Poll.until(5_000, () -> app.app().node().flags().current() != before)).as("reloaded").isTrue();
      assertThat(stored(app)).as("kept over the reload").isPositive();
      assertThat(all(app, token)).isEqualTo(first);
    } finally {
      delete(legacy);
      delete(ruled);
      assertThat(app.delete("/api/v1/flags/segments/" + seg.data().getString("id"), admin).status()).isEqualTo(204);
    }
  }
}
