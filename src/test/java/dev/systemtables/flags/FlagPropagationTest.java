package dev.systemtables.flags;

import dev.systemtables.testing.Resp;
import dev.systemtables.testing.TcpProxy;
import dev.systemtables.testing.TestApp;
import dev.systemtables.testing.TestDatabases;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Flag snapshots: every node converges within a second, and evaluation never needs the database")
class FlagPropagationTest {

  /** A node whose periodic reload cannot explain a change seen within the test's bounds. */
  static final JsonObject NO_PERIODIC_RELOAD = new JsonObject().put("flags", new JsonObject().put("reloadSeconds", 3600));

  static boolean enabledOn(TestApp node, String name, String sub) {
    Resp r = node.get("/api/v1/flags/" + name + "/enabled", node.token(sub, "VIEWER"));
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return r.data().getBoolean("enabled");
  }

  static JsonObject create(TestApp node, JsonObject body) {
    Resp r = node.post("/api/v1/flags", node.token("admin", "ADMIN"), body.encode());
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.data();
  }

  static Resp patch(TestApp node, String id, String body) {
    Resp r = node.patch("/api/v1/flags/" + id, node.token("admin", "ADMIN"), body);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return r;
  }

  @Test
  @DisplayName("A change on one instance is seen by a second instance sharing the database (no cluster) within 1 s")
  void secondInstanceConverges() throws Exception {
    String db = TestDatabases.freshDatabase();
    try (TestApp a = TestApp.start(Map.of("DATABASE_URL", db), NO_PERIODIC_RELOAD);
         TestApp b = TestApp.start(Map.of("DATABASE_URL", db), NO_PERIODIC_RELOAD)) {
      List<JsonObject> browserMessagesOnB = new CopyOnWriteArrayList<>();
      MessageConsumer<JsonObject> onB = b.app().vertx().eventBus()
          .consumer(dev.systemtables.push.BrowserAddresses.FLAGS_CHANGED, m -> browserMessagesOnB.add(m.body()));
      onB.completion().await();
      assertThat(enabledOn(b, "kill-switch", "u1")).isFalse();

      JsonObject f = create(a, new JsonObject().put("name", "kill-switch").put("enabled", true)
          .put("rolloutPercentage", 100));
      assertThat(Poll.until(1_000, () -> enabledOn(b, "kill-switch", "u1")))
          .as("creation on A seen by B within 1 s").isTrue();

      patch(a, f.getString("id"), "{\"enabled\": false}");
      assertThat(Poll.until(1_000, () -> !enabledOn(b, "kill-switch", "u1")))
          .as("kill switch on A seen by B within 1 s").isTrue();

      assertThat(a.delete("/api/v1/flags/" + f.getString("id"), a.token("admin", "ADMIN")).status()).isEqualTo(204);
      assertThat(Poll.until(1_000, () -> b.app().node().flags().current().get("kill-switch") == null))
          .as("deletion on A seen by B within 1 s").isTrue();

      // B's browsers heard of each change once, names only.
      assertThat(Poll.until(1_000, () -> browserMessagesOnB.size() >= 3)).isTrue();
      assertThat(browserMessagesOnB).containsOnly(new JsonObject().put("event", "flags.changed")
          .put("names", new JsonArray().add("kill-switch")));
      onB.unregister().await();
    }
  }

  @Test
  @DisplayName("A lost LISTEN connection is re-established, and the node catches up on what it missed")
  void listenReconnects() throws Exception {
    String db = TestDatabases.freshDatabase();
    try (TestApp a = TestApp.start(Map.of("DATABASE_URL", db), NO_PERIODIC_RELOAD);
         TestApp b = TestApp.start(Map.of("DATABASE_URL", db), NO_PERIODIC_RELOAD)) {
      assertThat(listeners(db)).isEqualTo(2);
      // Cut both nodes' LISTEN connections (this test's own database only).
      TestDatabases.execute(db, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database()"
          + " AND application_name = '" + FlagSnapshotVerticle.LISTEN_APPLICATION_NAME + "'");
      create(a, new JsonObject().put("name", "after-cut").put("enabled", true).put("rolloutPercentage", 100));
      assertThat(Poll.until(10_000, () -> enabledOn(b, "after-cut", "u1"))).isTrue();
      assertThat(Poll.until(10_000, () -> listeners(db) == 2)).as("both nodes listen again").isTrue();
      // And the re-established LISTEN carries the next change within the usual second.
      JsonObject later = create(a, new JsonObject().put("name", "after-reconnect").put("enabled", true)
          .put("rolloutPercentage", 100));
      assertThat(Poll.until(1_000, () -> enabledOn(b, "after-reconnect", "u1"))).isTrue();
      assertThat(later.getString("name")).isEqualTo("after-reconnect");
    }
  }

  @Test
  @DisplayName("The periodic full reload picks up a change that sent no signal at all")
  void periodicReloadIsASafetyNet() throws Exception {
    String db = TestDatabases.freshDatabase();
    try (TestApp node = TestApp.start(Map.of("DATABASE_URL", db),
        new JsonObject().put("flags", new JsonObject().put("reloadSeconds", 1)))) {
      assertThat(enabledOn(node, "written-by-hand", "u1")).isFalse();
      // Straight into the table, as an operator's SQL would: no NOTIFY, no event-bus signal.
      TestDatabases.execute(db, "INSERT INTO feature_flags (id, name, enabled, rollout_percentage) "
          + "VALUES ('manual-1', 'written-by-hand', true, 100)");
      assertThat(Poll.until(5_000, () -> enabledOn(node, "written-by-hand", "u1"))).isTrue();
      // A flag from before this service has no audit rows: its audit is empty, not a 404.
      Resp audit = node.get("/api/v1/flags/manual-1/audit", node.token("admin", "ADMIN"));
      assertThat(audit.status()).as(audit.toString()).isEqualTo(200);
      assertThat(audit.json().getJsonArray("data")).isEmpty();
    }
  }

  @Test
  @DisplayName("A reload signal published by another cluster member makes the node reload at once")
  void clusterSignalReloads() {
    String db = TestDatabases.freshDatabase();
    try (TestApp node = TestApp.start(Map.of("DATABASE_URL", db), NO_PERIODIC_RELOAD)) {
      // Written without NOTIFY, and the periodic reload is an hour away: only the signal can explain a reload.
      TestDatabases.execute(db, "INSERT INTO feature_flags (id, name, enabled, rollout_percentage) "
          + "VALUES ('manual-2', 'from-another-member', true, 100)");
      assertThat(enabledOn(node, "from-another-member", "u1")).isFalse();
      node.app().vertx().eventBus().publish(FlagSnapshotVerticle.RELOAD_SIGNAL, new JsonObject()
          .put("origin", "another-node").put("names", new JsonArray().add("from-another-member")));
      assertThat(Poll.until(1_000, () -> enabledOn(node, "from-another-member", "u1"))).isTrue();
    }
  }

  @Test
  @DisplayName("Evaluations are the same after a restart on the same database, and equal independently computed buckets")
  void deterministicAcrossRestarts() {
    String db = TestDatabases.freshDatabase();
    List<String> users = new ArrayList<>(List.of("user-1", "user-2", "user-3"));
    for (int i = 0; i < 60; i++) users.add("restart-user-" + i);
    Map<String, Boolean> before = new LinkedHashMap<>();
    try (TestApp first = TestApp.start(Map.of("DATABASE_URL", db))) {
      create(first, new JsonObject().put("name", "new-checkout").put("enabled", true).put("rolloutPercentage", 50));
      users.forEach(u -> before.put(u, enabledOn(first, "new-checkout", u)));
    }
    Map<String, Boolean> after = new LinkedHashMap<>();
    try (TestApp second = TestApp.start(Map.of("DATABASE_URL", db))) {
      users.forEach(u -> after.put(u, enabledOn(second, "new-checkout", u)));
    }
    assertThat(after).isEqualTo(before);
    // Buckets 32, 90 and 7, computed outside Java (see BucketingTest): in, out, in at 50 %.
    assertThat(before).containsEntry("user-1", true).containsEntry("user-2", false).containsEntry("user-3", true);
    users.forEach(u -> assertThat(before.get(u)).as(u).isEqualTo(Bucketing.bucket("new-checkout", u) <= 50));
    assertThat(before.values()).contains(true, false);
  }

  @Test
  @DisplayName("With its database unreachable a node still evaluates from memory, while admin calls answer 503")
  void evaluationNeedsNoDatabase() {
    String db = TestDatabases.freshDatabase();
    URI direct = URI.create(db);
    try (TcpProxy proxy = new TcpProxy(direct.getHost(), direct.getPort() < 0 ? 5432 : direct.getPort())) {
      String viaProxy = direct.getScheme() + "://" + direct.getRawUserInfo() + "@127.0.0.1:" + proxy.port()
          + direct.getRawPath();
      try (TestApp node = TestApp.start(Map.of("DATABASE_URL", viaProxy), NO_PERIODIC_RELOAD)) {
        create(node, new JsonObject().put("name", "offline-on").put("enabled", true).put("rolloutPercentage", 100));
        create(node, new JsonObject().put("name", "offline-off"));
        String viewer = node.token("offline-viewer", "VIEWER");
        String admin = node.token("admin", "ADMIN");
        assertThat(node.get("/api/v1/flags/offline-on/enabled", viewer).data().getBoolean("enabled")).isTrue();

        proxy.cut();

        for (int i = 0; i < 20; i++) {
          Resp one = node.get("/api/v1/flags/offline-on/enabled", viewer);
          assertThat(one.status()).as(one.toString()).isEqualTo(200);
          assertThat(one.data().getBoolean("enabled")).isTrue();
          Resp all = node.get("/api/v1/flags/enabled", viewer);
          assertThat(all.data().getJsonObject("flags"))
              .isEqualTo(new JsonObject().put("offline-off", false).put("offline-on", true));
          Resp eval = node.post("/api/v1/flags/evaluate", viewer, "{\"flags\": [\"offline-on\"]}");
          assertThat(eval.data().getJsonObject("flags").getBoolean("offline-on")).isTrue();
          Resp detailed = node.get("/api/v1/flags/offline-on/evaluation", viewer);
          assertThat(detailed.status()).as(detailed.toString()).isEqualTo(200);
          assertThat(detailed.data().getString("variant")).isEqualTo("on");
          Resp bulk = node.post("/api/v1/flags/evaluations", admin, "{\"context\": {\"userId\": \"someone\"}}");
          assertThat(bulk.status()).as(bulk.toString()).isEqualTo(200);
          assertThat(bulk.data().getJsonArray("evaluations")).hasSize(2);
        }
        Resp list = node.get("/api/v1/flags", admin);
        assertThat(list.status()).as(list.toString()).isEqualTo(503);
        assertThat(list.header("Retry-After")).isNotNull();
      }
    }
  }

  static int listeners(String db) {
    try (Connection c = TestDatabases.jdbc(db);
         PreparedStatement s = c.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
             + " AND application_name = ? AND query ILIKE 'LISTEN%'")) {
      s.setString(1, FlagSnapshotVerticle.LISTEN_APPLICATION_NAME);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
