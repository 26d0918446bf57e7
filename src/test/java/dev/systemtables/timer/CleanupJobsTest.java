package dev.systemtables.timer;

import dev.systemtables.testing.Resp;
import dev.systemtables.testing.TestApp;
import dev.systemtables.testing.TestDatabases;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cleanup jobs end to end: rows seeded straight into the domains' tables, a run triggered over
 * the admin API, the domains' purges doing the deleting. Needs the idempotency and notification
 * domains' purge consumers.
 */
@DisplayName("Cleanup jobs delete exactly what they should, in batches, and nothing else")
class CleanupJobsTest {

  // Schedules that never fire during the test (so the only run is the one the test asks for),
  // and batches much smaller than the seeded rows.
  static final JsonObject PATCH = new JsonObject().put("jobs", new JsonObject()
      .put("idempotency-cleanup", new JsonObject().put("cron", "0 0 0 1 1 ? 2099"))
      .put("notification-cleanup", new JsonObject().put("cron", "0 0 0 1 1 ? 2099").put("retentionDays", 90))
      .put("batchSize", 7));

  TestApp app;
  String admin;

  @BeforeEach
  void start() {
    app = TestApp.start(Map.of(), PATCH);
    admin = app.token("ops-admin", "ADMIN");
  }

  @AfterEach
  void stop() {
    app.close();
  }

  /** Triggers a run and waits, over the API, for it to finish; its entry in recentRuns. */
  JsonObject runToCompletion(String job) {
    Resp accepted = app.post("/api/v1/jobs/" + job + "/run", admin, null);
    assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
    String runId = accepted.data().getString("runId");
    return JobRuns.eventually(() -> {
      Resp r = app.get("/api/v1/jobs", admin);
      return r.json().getJsonArray("data").stream().map(JsonObject.class::cast)
          .filter(j -> j.getString("name").equals(job))
          .flatMap(j -> j.getJsonArray("recentRuns").stream().map(JsonObject.class::cast))
          .filter(run -> run.getString("id").equals(runId)).findFirst().orElse(null);
    }, run -> run != null && !run.getString("status").equals("RUNNING"));
  }

  List<String> ids(String table) {
    try (Connection c = TestDatabases.jdbc(app.databaseUrl()); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT id FROM " + table + " ORDER BY id")) {
      List<String> ids = new ArrayList<>();
      while (rs.next()) ids.add(rs.getString(1));
      return ids;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  void seed(String sql) {
    TestDatabases.execute(app.databaseUrl(), sql);
  }

  @Test
  @DisplayName("idempotency-cleanup deletes expired records, more than one batch of them, and keeps live ones")
  void idempotencyCleanup() {
    // 25 expired (> 3 batches of 7): completed, still processing, long and just expired, across callers.
    seed("""
        INSERT INTO idempotency_keys (id, key, scope, entity_type, request_hash, processed, processing_at,
                                      response_status, created_at, expires_at)
        SELECT 'expired-' || lpad(i::text, 2, '0'), 'key-' || i, 'caller-' || (i % 3), 'payment', 'hash-' || i,
               i % 2 = 0, CASE WHEN i % 2 = 1 THEN now() - interval '25 hours' END,
               CASE WHEN i % 2 = 0 THEN 201 END,
               now() - interval '25 hours' - i * interval '1 hour',
               CASE WHEN i = 1 THEN now() - interval '1 second' ELSE now() - i * interval '1 hour' END
        FROM generate_series(1, 25) AS i""");
    // 4 live: fresh, completed, about to expire, and one with a key an expired record also uses.
    seed("""
        INSERT INTO idempotency_keys (id, key, scope, entity_type, request_hash, processed, processing_at,
                                      created_at, expires_at)
        VALUES ('live-1', 'key-fresh', 'caller-0', 'payment', 'h', false, now(), now(), now() + interval '24 hours'),
               ('live-2', 'key-done', 'caller-1', 'payout', 'h', true, null, now() - interval '23 hours', now() + interval '1 hour'),
               ('live-3', 'key-soon', 'caller-2', 'license', 'h', true, null, now() - interval '24 hours', now() + interval '1 minute'),
               ('live-4', 'key-1', 'caller-9', 'payment', 'h', false, now(), now(), now() + interval '24 hours')""");

    JsonObject run = runToCompletion("idempotency-cleanup");

    assertThat(run.getString("status")).as(run.encode()).isEqualTo("SUCCEEDED");
    assertThat(run.getLong("deleted")).isEqualTo(25L);
    assertThat(run.getString("error")).isNull();
    assertThat(ids("idempotency_keys")).containsExactly("live-1", "live-2", "live-3", "live-4");

    // A second run finds nothing left to delete.
    JsonObject again = runToCompletion("idempotency-cleanup");
    assertThat(again.getString("status")).isEqualTo("SUCCEEDED");
    assertThat(again.getLong("deleted")).isZero();
    assertThat(ids("idempotency_keys")).hasSize(4);
  }

  @Test
  @DisplayName("notification-cleanup deletes read-and-old notifications only: read-and-recent and unread-and-old stay")
  void notificationCleanup() {
    // 21 read more than 90 days ago: exactly 3 batches of 7, so the last full batch is followed by an empty one.
    seed("""
        INSERT INTO notifications (id, user_id, type, title, message, read, read_at, created_at)
        SELECT 'read-old-' || lpad(i::text, 2, '0'), 'user-' || (i % 3), 'SYSTEM', 't', 'm', true,
               now() - interval '91 days' - i * interval '1 day', now() - interval '200 days'
        FROM generate_series(1, 21) AS i""");
    seed("""
        INSERT INTO notifications (id, user_id, type, title, message, read, read_at, created_at)
        VALUES ('read-recent-1', 'user-0', 'PAYOUT', 't', 'm', true, now() - interval '10 days', now() - interval '200 days'),
               ('read-recent-2', 'user-1', 'LICENSE', 't', 'm', true, now() - interval '89 days', now() - interval '100 days'),
               ('read-recent-3', 'user-2', 'ROYALTY', 't', 'm', true, now(), now() - interval '1 day'),
               ('unread-old-1', 'user-0', 'SYSTEM', 't', 'm', false, null, now() - interval '400 days'),
               ('unread-old-2', 'user-1', 'PROJECT', 't', 'm', false, null, now() - interval '91 days'),
               ('unread-new-1', 'user-2', 'SYSTEM', 't', 'm', false, null, now())""");

    JsonObject run = runToCompletion("notification-cleanup");

    assertThat(run.getString("status")).as(run.encode()).isEqualTo("SUCCEEDED");
    assertThat(run.getLong("deleted")).isEqualTo(21L);
    assertThat(ids("notifications")).containsExactly("read-recent-1", "read-recent-2", "read-recent-3",
        "unread-new-1", "unread-old-1", "unread-old-2");
  }
}
