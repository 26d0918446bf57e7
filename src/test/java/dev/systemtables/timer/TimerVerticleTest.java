package dev.systemtables.timer;

import dev.systemtables.common.ApiException;
import dev.systemtables.testing.TestDatabases;
import dev.systemtables.timer.JobRuns.Run;
import dev.systemtables.timer.TimerNode.Purge;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;


import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("Timer: each slot runs once across nodes, survives restarts, and records what happened")
class TimerVerticleTest {

  static final String IDEMPOTENCY_CLEANUP_NAME = dev.systemtables.idempotency.IdempotencyCleanup.NAME;
  static final String NOTIFICATION_CLEANUP_NAME = dev.systemtables.notifications.NotificationCleanup.NAME;

  static final JsonObject FAST_CHECKS = new JsonObject().put("jobs", new JsonObject().put("checkSeconds", 1));

  static List<Instant> slots(String db, String job) {
    return JobRuns.of(db, job).stream().map(Run::scheduledFor).toList();
  }

  static Instant at(String iso) {
    return Instant.parse(iso);
  }

  @Test
  @DisplayName("A node that was down at slots runs only the most recent missed one, once, when it starts")
  void missedSlotRunsOnceAfterRestart() {
    String db = TestDatabases.freshDatabase();
    MutableClock clock = new MutableClock("2030-01-01T02:00:00Z");
    try (TimerNode n = TimerNode.start(db, clock, new JsonObject(), Purge.deleting(0), Purge.deleting(0))) {
      JobRuns.finished(db, 2);
    }
    // Down from 02:00 to 19:00: the 06:00, 12:00 and 18:00 slots and the day's 03:00 slot pass unrun.
    clock.set("2030-01-01T19:00:00Z");
    try (TimerNode n = TimerNode.start(db, clock, new JsonObject(), Purge.deleting(0), Purge.deleting(0))) {
      JobRuns.finished(db, 4);
    }
    Purge idem = Purge.deleting(0);
    Purge notif = Purge.deleting(0);
    try (TimerNode n = TimerNode.start(db, clock, new JsonObject(), idem, notif)) {
      // started = its start-up check is done: nothing was due any more
      assertThat(idem.requests).isEmpty();
      assertThat(notif.requests).isEmpty();
    }
    assertThat(slots(db, IDEMPOTENCY_CLEANUP_NAME))
        .containsExactly(at("2030-01-01T00:00:00Z"), at("2030-01-01T18:00:00Z"));
    assertThat(slots(db, NOTIFICATION_CLEANUP_NAME))
        .containsExactly(at("2029-12-31T03:00:00Z"), at("2030-01-01T03:00:00Z"));
    assertThat(JobRuns.all(db)).extracting(Run::status).containsOnly("SUCCEEDED");
  }

  @Test
  @DisplayName("Two nodes on one database claim each slot once, and only the winner runs it")
  void twoNodesRunASlotOnce() throws Exception {
    String db = TestDatabases.freshDatabase();
    TimerNode.migrate(db);
    MutableClock clock = new MutableClock("2030-01-01T05:59:59Z");
    // One stand-in per domain shared by both nodes: it counts the runs of the whole "cluster".
    Purge idem = Purge.deleting(1);
    Purge notif = Purge.deleting(1);
    CompletableFuture<TimerNode> a = CompletableFuture.supplyAsync(() -> TimerNode.start(db, clock, FAST_CHECKS, idem, notif));
    CompletableFuture<TimerNode> b = CompletableFuture.supplyAsync(() -> TimerNode.start(db, clock, FAST_CHECKS, idem, notif));
    try (TimerNode na = a.get(); TimerNode nb = b.get()) {
      JobRuns.finished(db, 2);
      // both nodes' periodic checks race for the next slot too
      clock.set("2030-01-01T06:00:00Z");
      JobRuns.eventually(() -> JobRuns.of(db, IDEMPOTENCY_CLEANUP_NAME),
          runs -> runs.size() == 2 && runs.stream().allMatch(r -> r.status().equals("SUCCEEDED")));
      na.awaitChecks(2); // two more check rounds on each node: still nothing to add
      nb.awaitChecks(2);

      assertThat(slots(db, IDEMPOTENCY_CLEANUP_NAME))
          .containsExactly(at("2030-01-01T00:00:00Z"), at("2030-01-01T06:00:00Z"));
      assertThat(slots(db, NOTIFICATION_CLEANUP_NAME)).containsExactly(at("2030-01-01T03:00:00Z"));
      assertThat(idem.requests).hasSize(2);
      assertThat(notif.requests).hasSize(1);
      for (String job : List.of(IDEMPOTENCY_CLEANUP_NAME, NOTIFICATION_CLEANUP_NAME)) {
        long rows = JobRuns.of(db, job).size();
        assertThat(na.runs(job, "SUCCEEDED") + nb.runs(job, "SUCCEEDED")).as(job).isEqualTo(rows);
      }
      assertThat(JobRuns.all(db)).extracting(Run::nodeId).isSubsetOf(na.nodeId, nb.nodeId);
    }
  }

  @Test
  @DisplayName("A run asks the owning domain to purge in batches and records what it deleted")
  void recordsTheDomainsAnswer() {
    String db = TestDatabases.freshDatabase();
    MutableClock clock = new MutableClock("2030-01-01T05:00:00Z");
    JsonObject patch = new JsonObject().put("jobs", new JsonObject().put("batchSize", 123)
        .put("notification-cleanup", new JsonObject().put("retentionDays", 30)));
    Purge idem = Purge.deleting(42);
    Purge notif = Purge.deleting(7);
    try (TimerNode n = TimerNode.start(db, clock, patch, idem, notif)) {
      List<Run> runs = JobRuns.finished(db, 2);
      assertThat(idem.requests).containsExactly(new JsonObject().put("batchSize", 123));
      assertThat(notif.requests).containsExactly(
          new JsonObject().put("batchSize", 123).put("readBefore", "2029-12-02T05:00:00Z"));
      Run idemRun = runs.get(0);
      assertThat(idemRun.job()).isEqualTo(IDEMPOTENCY_CLEANUP_NAME);
      assertThat(idemRun.status()).isEqualTo("SUCCEEDED");
      assertThat(idemRun.deleted()).isEqualTo(42);
      assertThat(idemRun.error()).isNull();
      assertThat(idemRun.nodeId()).isEqualTo(n.nodeId);
      assertThat(idemRun.finishedAt()).isAfterOrEqualTo(idemRun.startedAt());
      assertThat(runs.get(1).deleted()).isEqualTo(7);
      assertThat(n.runs(IDEMPOTENCY_CLEANUP_NAME, "SUCCEEDED")).isEqualTo(1.0);
      assertThat(n.registry.find(JobMetrics.DELETED).tag("job", IDEMPOTENCY_CLEANUP_NAME).counter().count()).isEqualTo(42.0);
      assertThat(n.registry.find(JobMetrics.DURATION).tags("job", NOTIFICATION_CLEANUP_NAME, "status", "SUCCEEDED")
          .timer().count()).isEqualTo(1);
    }
  }

  @Test
  @DisplayName("A purge that fails mid-run is recorded FAILED with the domain's error")
  void failedPurgeIsRecorded() {
    String db = TestDatabases.freshDatabase();
    MutableClock clock = new MutableClock("2030-01-01T05:00:00Z");
    Purge idem = new Purge(body -> Future.failedFuture(ApiException.unavailable("the database is unavailable")));
    Purge notif = new Purge(body -> {
      throw new IllegalStateException("crashed half way");
    });
    try (TimerNode n = TimerNode.start(db, clock, new JsonObject(), idem, notif)) {
      List<Run> runs = JobRuns.finished(db, 2);
      assertThat(runs).extracting(Run::status).containsOnly("FAILED");
      assertThat(runs.get(0).error()).contains("UNAVAILABLE").contains("the database is unavailable");
      assertThat(runs.get(1).error()).isEqualTo("INTERNAL: internal error");
      assertThat(runs).allSatisfy(r -> assertThat(r.finishedAt()).isNotNull());
      assertThat(n.runs(IDEMPOTENCY_CLEANUP_NAME, "FAILED")).isEqualTo(1.0);
      assertThat(n.runs(IDEMPOTENCY_CLEANUP_NAME, "SUCCEEDED")).isEqualTo(0.0);
    }
  }

  @Test
  @DisplayName("A run whose target domain has no consumer is recorded FAILED with the reason")
  void noConsumerIsRecorded() {
    String db = TestDatabases.freshDatabase();
    try (TimerNode n = TimerNode.start(db, new MutableClock("2030-01-01T05:00:00Z"), new JsonObject(), null, null)) {
      List<Run> runs = JobRuns.finished(db, 2);
      assertThat(runs).extracting(Run::status).containsOnly("FAILED");
      assertThat(runs.get(0).error()).isEqualTo("UNAVAILABLE: IdempotencyService is not running on this node");
      assertThat(runs.get(1).error()).isEqualTo("UNAVAILABLE: NotificationService is not running on this node");
    }
  }

  @Test
  @DisplayName("Runs left RUNNING by a dead node are marked FAILED at start-up; recent ones are left alone")
  void staleRunsAreFailedAtStartUp() {
    String db = TestDatabases.freshDatabase();
    TimerNode.migrate(db);
    JobRuns.execute(db, """
        INSERT INTO job_runs (id, job_name, scheduled_for, node_id, status, started_at) VALUES
          ('stale', 'idempotency-cleanup', '2029-06-01T00:00:00Z', 'dead-node', 'RUNNING', now() - interval '2 hours'),
          ('recent', 'idempotency-cleanup', '2029-06-01T06:00:00Z', 'busy-node', 'RUNNING', now() - interval '5 minutes')""");
    try (TimerNode n = TimerNode.start(db, new MutableClock("2030-01-01T05:00:00Z"), new JsonObject(),
        Purge.deleting(0), Purge.deleting(0))) {
      List<Run> old = JobRuns.of(db, IDEMPOTENCY_CLEANUP_NAME).stream()
          .filter(r -> r.scheduledFor().isBefore(at("2030-01-01T00:00:00Z"))).toList();
      assertThat(old).hasSize(2);
      assertThat(old.get(0).status()).isEqualTo("FAILED");
      assertThat(old.get(0).error()).contains("abandoned").contains("60 minutes").contains("dead-node");
      assertThat(old.get(0).finishedAt()).isNotNull();
      assertThat(old.get(1).status()).isEqualTo("RUNNING");
    }
  }

  @Test
  @DisplayName("A run left RUNNING by a node that dies while this one runs is marked FAILED by the periodic check")
  void staleRunsAreFailedByThePeriodicCheck() {
    String db = TestDatabases.freshDatabase();
    try (TimerNode n = TimerNode.start(db, new MutableClock("2030-01-01T05:00:00Z"), FAST_CHECKS,
        Purge.deleting(0), Purge.deleting(0))) {
      JobRuns.execute(db, """
          INSERT INTO job_runs (id, job_name, scheduled_for, node_id, status, started_at) VALUES
            ('stale', 'notification-cleanup', '2029-06-01T03:00:00Z', 'dead-node', 'RUNNING', now() - interval '61 minutes')""");
      Run stale = JobRuns.eventually(() -> JobRuns.of(db, NOTIFICATION_CLEANUP_NAME).get(0), r -> !r.status().equals("RUNNING"));
      assertThat(stale.status()).isEqualTo("FAILED");
      assertThat(stale.error()).contains("abandoned");
    }
  }

  @Test
  @DisplayName("A running node claims a new slot when it comes")
  void newSlotWhileRunning() {
    String db = TestDatabases.freshDatabase();
    MutableClock clock = new MutableClock("2030-01-01T05:59:00Z");
    try (TimerNode n = TimerNode.start(db, clock, FAST_CHECKS, Purge.deleting(0), Purge.deleting(0))) {
      JobRuns.finished(db, 2);
      clock.set("2030-01-01T06:00:00.250Z");
      JobRuns.eventually(() -> slots(db, IDEMPOTENCY_CLEANUP_NAME), s -> s.size() == 2);
      assertThat(slots(db, IDEMPOTENCY_CLEANUP_NAME))
          .containsExactly(at("2030-01-01T00:00:00Z"), at("2030-01-01T06:00:00Z"));
      assertThat(slots(db, NOTIFICATION_CLEANUP_NAME)).containsExactly(at("2030-01-01T03:00:00Z"));
    }
  }

  @Test
  @DisplayName("A node that stops mid-run marks its run FAILED instead of leaving it RUNNING")
  void stopMidRun() {
    String db = TestDatabases.freshDatabase();
    Purge never = new Purge(body -> Promise.promise().future());
    TimerNode n = TimerNode.start(db, new MutableClock("2030-01-01T05:00:00Z"), new JsonObject(),
        never, Purge.deleting(0));
    JobRuns.eventually(() -> never.requests, r -> r.size() == 1);
    assertThat(JobRuns.of(db, IDEMPOTENCY_CLEANUP_NAME).get(0).status()).isEqualTo("RUNNING");
    n.close();
    Run run = JobRuns.of(db, IDEMPOTENCY_CLEANUP_NAME).get(0);
    assertThat(run.status()).isEqualTo("FAILED");
    assertThat(run.error()).contains("stopped before the run finished");
  }

  @Test
  @DisplayName("A bad cron expression stops the node at start-up, naming the key")
  void badCronStopsStartUp() {
    String db = TestDatabases.freshDatabase();
    JsonObject patch = new JsonObject().put("jobs", new JsonObject()
        .put("notification-cleanup", new JsonObject().put("cron", "0 0 3 * *")));
    assertThatThrownBy(() -> TimerNode.start(db, new MutableClock("2030-01-01T05:00:00Z"), patch, null, null))
        .hasMessageContaining("jobs.notification-cleanup.cron");
  }
}
