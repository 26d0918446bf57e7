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

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Scheduled flag changes: scheduled, listed, cancelled, and applied once across the cluster")
class ScheduledChangesTest {

  /** Every node looks every second (and at the moment the next change is due). */
  static final JsonObject FAST = new JsonObject().put("flags", new JsonObject()
      .put("scheduledChanges", new JsonObject().put("checkSeconds", 1)));
  static final AtomicInteger SEQ = new AtomicInteger();

  static TestApp app;
  static String admin;

  @BeforeAll
  static void start() {
    app = TestApp.start(Map.of(), FAST);
    admin = app.token("sched-admin", "ADMIN");
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  static JsonObject createFlag(TestApp node, JsonObject body) {
    Resp r = node.post("/api/v1/flags", node.token("sched-admin", "ADMIN"), body.encode());
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.data();
  }

  static String in(long millis) {
    return Instant.now().plusMillis(millis).toString();
  }

  static Resp schedule(TestApp node, String flagId, String at, JsonObject patch) {
    return node.post("/api/v1/flags/" + flagId + "/scheduled-changes", node.token("sched-admin", "ADMIN"),
        new JsonObject().put("at", at).put("patch", patch).encode());
  }

  static JsonArray list(String query) {
    Resp r = app.get("/api/v1/flags/scheduled-changes" + query, admin);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return r.json().getJsonArray("data");
  }

  static JsonObject change(String id) {
    JsonArray all = list("");
    for (int i = 0; i < all.size(); i++) {
      if (all.getJsonObject(i).getString("id").equals(id)) return all.getJsonObject(i);
    }
    return null;
  }

  static String name(String base) {
    return base + "-" + SEQ.incrementAndGet();
  }

  @Test
  @DisplayName("A change is scheduled (201), listed for all and per flag, filtered by status, and cancelled once (204, then 409)")
  void scheduleListCancel() {
    JsonObject f = createFlag(app, new JsonObject().put("name", name("later")));
    String id = f.getString("id");
    Resp r = schedule(app, id, "2099-01-01T00:00:00Z", new JsonObject().put("enabled", true));
    assertThat(r.status()).isEqualTo(400); // more than 5 years ahead
    String at = in(3_600_000);
    r = schedule(app, id, at, new JsonObject().put("enabled", true).put("rolloutPercentage", 30));
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    JsonObject c = r.data();
    assertThat(c.getString("flagId")).isEqualTo(id);
    assertThat(c.getString("flagName")).isEqualTo(f.getString("name"));
    assertThat(Instant.parse(c.getString("at"))).isEqualTo(Instant.parse(at).truncatedTo(java.time.temporal.ChronoUnit.MICROS));
    assertThat(c.getJsonObject("patch")).isEqualTo(new JsonObject().put("enabled", true).put("rolloutPercentage", 30));
    assertThat(c.getString("status")).isEqualTo("pending");
    assertThat(c.getString("scheduledBy")).isEqualTo("sched-admin");

    Resp perFlag = app.get("/api/v1/flags/" + id + "/scheduled-changes", admin);
    assertThat(perFlag.status()).isEqualTo(200);
    assertThat(perFlag.json().getJsonArray("data").size()).isEqualTo(1);
    assertThat(perFlag.json().getJsonObject("meta").getInteger("total")).isEqualTo(1);
    assertThat(change(c.getString("id"))).isNotNull();
    assertThat(list("?status=pending").stream().map(o -> ((JsonObject) o).getString("id"))).contains(c.getString("id"));
    assertThat(list("?status=applied").stream().map(o -> ((JsonObject) o).getString("id"))).doesNotContain(c.getString("id"));

    Resp cancel = app.delete("/api/v1/flags/scheduled-changes/" + c.getString("id"), admin);
    assertThat(cancel.status()).as(cancel.toString()).isEqualTo(204);
    JsonObject cancelled = change(c.getString("id"));
    assertThat(cancelled.getString("status")).isEqualTo("cancelled");
    assertThat(cancelled.getString("cancelledBy")).isEqualTo("sched-admin");
    Resp again = app.delete("/api/v1/flags/scheduled-changes/" + c.getString("id"), admin);
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.json().getString("detail")).contains("already cancelled");
    assertThat(app.delete("/api/v1/flags/scheduled-changes/no-such-change", admin).status()).isEqualTo(404);
    assertThat(app.get("/api/v1/flags/no-such-flag/scheduled-changes", admin).status()).isEqualTo(404);
    Resp unknownFlag = schedule(app, "no-such-flag", in(60_000), new JsonObject().put("enabled", true));
    assertThat(unknownFlag.status()).isEqualTo(404);
  }

  static Stream<Arguments> badSchedules() {
    return Stream.of(
        Arguments.of("no at", "{\"patch\": {\"enabled\": true}}", "at is required"),
        Arguments.of("at not a time", "{\"at\": \"tomorrow\", \"patch\": {\"enabled\": true}}", "at must be an ISO-8601"),
        Arguments.of("at without a zone", "{\"at\": \"2030-01-01T10:00:00\", \"patch\": {\"enabled\": true}}",
            "at must be an ISO-8601"),
        Arguments.of("at in the past", "{\"at\": \"2020-01-01T10:00:00Z\", \"patch\": {\"enabled\": true}}",
            "at must be in the future"),
        Arguments.of("no patch", "{\"at\": \"" + in(60_000) + "\"}", "patch is required"),
        Arguments.of("patch changes nothing", "{\"at\": \"" + in(60_000) + "\", \"patch\": {}}", "patch.body changes no field"),
        Arguments.of("bad rollout in the patch", "{\"at\": \"" + in(60_000) + "\", \"patch\": {\"rolloutPercentage\": 150}}",
            "patch.rolloutPercentage"),
        Arguments.of("unknown patch field", "{\"at\": \"" + in(60_000) + "\", \"patch\": {\"colour\": 1}}", "colour"),
        Arguments.of("unknown field", "{\"at\": \"" + in(60_000) + "\", \"patch\": {\"enabled\": true}, \"when\": 1}",
            "when is not a field"));
  }

  @ParameterizedTest(name = "{0} → 400")
  @MethodSource("badSchedules")
  @DisplayName("A bad schedule request answers 400 naming the field, and schedules nothing")
  void badSchedule(String what, String body, String detail) {
    JsonObject f = createFlag(app, new JsonObject().put("name", name("bad-sched")));
    Resp r = app.post("/api/v1/flags/" + f.getString("id") + "/scheduled-changes", admin, body);
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(r.json().getString("detail")).contains(detail);
    assertThat(app.get("/api/v1/flags/" + f.getString("id") + "/scheduled-changes", admin).json()
        .getJsonArray("data")).isEmpty();
  }

  @Test
  @DisplayName("A bad status filter is a 400, and non-admins may not see or schedule changes (403)")
  void filtersAndRoles() {
    Resp r = app.get("/api/v1/flags/scheduled-changes?status=done", admin);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().getString("detail")).contains("status");
    String viewer = app.token("viewer-1", "VIEWER");
    assertThat(app.get("/api/v1/flags/scheduled-changes", viewer).status()).isEqualTo(403);
    JsonObject f = createFlag(app, new JsonObject().put("name", name("roles")));
    Resp post = app.post("/api/v1/flags/" + f.getString("id") + "/scheduled-changes", viewer,
        new JsonObject().put("at", in(60_000)).put("patch", new JsonObject().put("enabled", true)).encode());
    assertThat(post.status()).isEqualTo(403);
  }

  @Test
  @DisplayName("When due, the change is applied and audited as done by the scheduler on behalf of the admin who scheduled it")
  void appliedWhenDue() {
    JsonObject f = createFlag(app, new JsonObject().put("name", name("launch")).put("rolloutPercentage", 100));
    String id = f.getString("id");
    assertThat(FlagPropagationTest.enabledOn(app, f.getString("name"), "u1")).isFalse();
    Resp r = schedule(app, id, in(1_500), new JsonObject().put("enabled", true));
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    String changeId = r.data().getString("id");

    assertThat(Poll.until(6_000, () -> FlagPropagationTest.enabledOn(app, f.getString("name"), "u1")))
        .as("the change is applied and seen by evaluations").isTrue();
    JsonObject applied = change(changeId);
    assertThat(applied.getString("status")).isEqualTo("applied");
    assertThat(applied.getString("appliedAt")).isNotNull();
    assertThat(Instant.parse(applied.getString("appliedAt"))).isAfterOrEqualTo(Instant.parse(r.data().getString("at")));

    JsonArray audit = app.get("/api/v1/flags/" + id + "/audit", admin).json().getJsonArray("data");
    JsonObject last = audit.getJsonObject(0);
    assertThat(last.getString("action")).isEqualTo("UPDATE");
    assertThat(last.getString("actor")).isEqualTo("scheduler");
    assertThat(last.getString("source")).isEqualTo("scheduler");
    assertThat(last.getString("onBehalfOf")).isEqualTo("sched-admin");
    assertThat(last.getJsonObject("before").getBoolean("enabled")).isFalse();
    assertThat(last.getJsonObject("after").getBoolean("enabled")).isTrue();
    assertThat(audit.getJsonObject(1).getString("source")).isEqualTo("api");
    assertThat(audit.getJsonObject(1).getValue("onBehalfOf")).isNull();
  }

  @Test
  @DisplayName("A patch that can no longer be applied marks the change failed with the reason, and changes nothing")
  void failingPatch() {
    JsonObject taken = createFlag(app, new JsonObject().put("name", name("taken")));
    JsonObject f = createFlag(app, new JsonObject().put("name", name("renamed-later")));
    Resp r = schedule(app, f.getString("id"), in(1_000), new JsonObject().put("name", taken.getString("name")));
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    String changeId = r.data().getString("id");
    assertThat(Poll.until(6_000, () -> !"pending".equals(change(changeId).getString("status")))).isTrue();
    JsonObject failed = change(changeId);
    assertThat(failed.getString("status")).isEqualTo("failed");
    assertThat(failed.getString("error")).contains("FLAG_NAME_TAKEN").contains(taken.getString("name"));
    JsonArray audit = app.get("/api/v1/flags/" + f.getString("id") + "/audit", admin).json().getJsonArray("data");
    assertThat(audit.size()).as("only the create").isEqualTo(1);
  }

  @Test
  @DisplayName("Deleting a flag cancels what was scheduled for it")
  void deleteCancels() {
    JsonObject f = createFlag(app, new JsonObject().put("name", name("doomed")));
    String changeId = schedule(app, f.getString("id"), in(3_600_000), new JsonObject().put("enabled", true))
        .data().getString("id");
    assertThat(app.delete("/api/v1/flags/" + f.getString("id"), admin).status()).isEqualTo(204);
    JsonObject c = change(changeId);
    assertThat(c.getString("status")).isEqualTo("cancelled");
    assertThat(c.getString("error")).isEqualTo("the flag was deleted");
  }

  @Test
  @DisplayName("With two nodes both running the scheduler, each of 30 simultaneous changes is applied exactly once")
  void exactlyOnceWithTwoNodes() throws Exception {
    String db = TestDatabases.freshDatabase();
    try (TestApp a = TestApp.start(Map.of("DATABASE_URL", db), FAST);
         TestApp b = TestApp.start(Map.of("DATABASE_URL", db), FAST)) {
      List<String> flagIds = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        flagIds.add(createFlag(i % 2 == 0 ? a : b, new JsonObject().put("name", "race-" + i)).getString("id"));
      }
      // All due at the same moment, scheduled through both nodes, so both look for them at once.
      String at = in(2_500);
      List<String> changeIds = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        TestApp via = i % 2 == 0 ? a : b;
        Resp r = schedule(via, flagIds.get(i % 5), at, new JsonObject().put("rolloutPercentage", i));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        changeIds.add(r.data().getString("id"));
      }
      assertThat(Poll.until(15_000, () -> count(db, "SELECT count(*) FROM flag_scheduled_changes WHERE status = 'pending'") == 0))
          .as("every change left pending").isTrue();
      assertThat(count(db, "SELECT count(*) FROM flag_scheduled_changes WHERE status = 'applied'")).isEqualTo(30);
      // Exactly one audit row per change: nobody applied one twice.
      assertThat(count(db, "SELECT count(*) FROM feature_flag_audit WHERE source = 'scheduler'")).isEqualTo(30);
      Map<String, Integer> perFlag = new HashMap<>();
      try (Connection c = TestDatabases.jdbc(db); Statement s = c.createStatement();
           ResultSet rs = s.executeQuery("SELECT flag_id, count(*) FROM feature_flag_audit WHERE source = 'scheduler' GROUP BY flag_id")) {
        while (rs.next()) perFlag.put(rs.getString(1), rs.getInt(2));
      }
      assertThat(perFlag.values()).containsOnly(6);
      // Each flag's changes were applied in the order they were scheduled (same time: id order), whichever node
      // applied them: its audit shows rollouts k, k+5, ..., k+25, and both nodes end on k+25.
      for (int k = 0; k < 5; k++) {
        List<Integer> applied = new ArrayList<>();
        try (Connection c = TestDatabases.jdbc(db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT (after ->> 'rolloutPercentage')::int FROM feature_flag_audit"
                 + " WHERE source = 'scheduler' AND flag_name = 'race-" + k + "' ORDER BY id")) {
          while (rs.next()) applied.add(rs.getInt(1));
        }
        assertThat(applied).as("race-" + k).containsExactly(k, k + 5, k + 10, k + 15, k + 20, k + 25);
        String name = "race-" + k;
        int last = k + 25;
        for (TestApp node : List.of(a, b)) {
          assertThat(Poll.until(1_000, () -> node.app().node().flags().current().get(name).rolloutPercentage() == last))
              .as(name + " on both nodes").isTrue();
        }
      }
      Set<String> nodes = new HashSet<>();
      try (Connection c = TestDatabases.jdbc(db); Statement s = c.createStatement();
           ResultSet rs = s.executeQuery("SELECT DISTINCT applied_by FROM flag_scheduled_changes")) {
        while (rs.next()) nodes.add(rs.getString(1));
      }
      assertThat(nodes).isNotEmpty().isSubsetOf(a.app().node().nodeId(), b.app().node().nodeId());
      System.out.println("[scheduled changes] applied by " + nodes.size() + " node(s)");
    }
  }

  @Test
  @DisplayName("Changes of one flag apply in time order: a later one is not taken while an earlier one is pending")
  void oneFlagInOrder() throws Exception {
    String db = TestDatabases.freshDatabase();
    JsonObject noScheduler = new JsonObject().put("flags", new JsonObject()
        .put("scheduledChanges", new JsonObject().put("enabled", false)));
    try (TestApp node = TestApp.start(Map.of("DATABASE_URL", db), noScheduler)) {
      String id = createFlag(node, new JsonObject().put("name", "ordered")).getString("id");
      String first = schedule(node, id, in(600), new JsonObject().put("rolloutPercentage", 10)).data().getString("id");
      String second = schedule(node, id, in(700), new JsonObject().put("rolloutPercentage", 20)).data().getString("id");
      Thread.sleep(1_000);
      io.vertx.sqlclient.Pool pool = io.vertx.pgclient.PgBuilder.pool().connectingTo(db).using(node.app().vertx()).build();
      try {
        FlagStore store = new FlagStore(pool);
        assertThat(store.applyScheduled(second, "test-node").await()).as("the later change waits").isNull();
        assertThat(store.applyScheduled(first, "test-node").await().flag().rolloutPercentage()).isEqualTo(10);
        assertThat(store.applyScheduled(second, "test-node").await().flag().rolloutPercentage()).isEqualTo(20);
        assertThat(store.applyScheduled(second, "test-node").await()).as("and only once").isNull();
      } finally {
        pool.close().await();
      }
    }
  }

  static long count(String db, String sql) {
    try (Connection c = TestDatabases.jdbc(db); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
