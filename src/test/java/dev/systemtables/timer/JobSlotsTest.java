package dev.systemtables.timer;

import dev.systemtables.testing.TestApp;
import dev.systemtables.testing.TestDatabases;
import dev.systemtables.timer.JobRuns.Run;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.EnumSet;
import dev.systemtables.Application;
import java.util.Map;
import java.util.concurrent.CompletableFuture;


import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

@DisplayName("Job slots on real nodes: once across instances, once after a restart, each as it comes")
class JobSlotsTest {

  static final String IDEMPOTENCY_CLEANUP_NAME = dev.systemtables.idempotency.IdempotencyCleanup.NAME;
  static final String NOTIFICATION_CLEANUP_NAME = dev.systemtables.notifications.NotificationCleanup.NAME;

  static final String NEVER_SO_FAR = "0 0 0 1 1 ? 2099";

  /** These tests are about the scheduler itself, so their nodes run it. */
  static final JsonObject SCHEDULER_ON = new JsonObject().put("jobs", new JsonObject().put("schedulerEnabled", true));

  static JsonObject crons(String idempotency, String notifications, int checkSeconds) {
    return new JsonObject().put("jobs", new JsonObject()
        .put("idempotency-cleanup", new JsonObject().put("cron", idempotency))
        .put("notification-cleanup", new JsonObject().put("cron", notifications))
        .put("checkSeconds", checkSeconds).put("schedulerEnabled", true));
  }

  static TestApp node(Map<String, String> env, JsonObject patch, MutableClock clock) {
    return TestApp.start(env, patch, EnumSet.allOf(Application.Part.class), clock);
  }

  /** Waits until the node's scheduler has made {@code more} further rounds of looking for due slots. */
  static void awaitChecks(TestApp app, int more) {
    double target = checks(app) + more;
    JobRuns.eventually(() -> checks(app), n -> n >= target);
  }

  static double checks(TestApp app) {
    var c = app.app().node().metrics().find(JobMetrics.CHECKS).counter();
    return c == null ? 0 : c.count();
  }

  /** Runs this node finished, whatever their outcome (without the domains' consumers they fail). */
  static long runsOn(TestApp app, String job) {
    return Math.round(app.app().node().metrics().find(JobMetrics.RUNS).tag("job", job).counters().stream()
        .mapToDouble(Counter::count).sum());
  }

  @Test
  @DisplayName("Two instances sharing one database start together: the current slot has one run per job, by one of them")
  void twoInstancesOneRunPerSlot() throws Exception {
    String db = TestDatabases.freshDatabase();
    Instant before = Instant.now();
    CompletableFuture<TestApp> a = CompletableFuture.supplyAsync(() -> TestApp.start(Map.of("DATABASE_URL", db), SCHEDULER_ON));
    CompletableFuture<TestApp> b = CompletableFuture.supplyAsync(() -> TestApp.start(Map.of("DATABASE_URL", db), SCHEDULER_ON));
    try (TestApp na = a.get(); TestApp nb = b.get()) {
      Instant after = Instant.now();
      List<Run> runs = JobRuns.finished(db, 2);
      for (String job : List.of(IDEMPOTENCY_CLEANUP_NAME, NOTIFICATION_CLEANUP_NAME)) {
        Schedule schedule = Schedule.parse(TestApp.baseConfig().section("jobs").getJsonObject(job).getString("cron"));
        Instant current = schedule.lastAtOrBefore(after).orElseThrow();
        List<Run> ofJob = runs.stream().filter(r -> r.job().equals(job)).toList();
        // (a slot boundary passing during start-up would legitimately add the next slot's run)
        assertThat(ofJob).extracting(Run::scheduledFor)
            .contains(current)
            .doesNotHaveDuplicates()
            .allSatisfy(slot -> assertThat(slot).isBetween(schedule.lastAtOrBefore(before).orElseThrow(), current));
        assertThat(ofJob).extracting(Run::nodeId)
            .allSatisfy(id -> assertThat(id).isIn(na.app().node().nodeId(), nb.app().node().nodeId()));
        // Each run was executed by exactly one node: together they ran as many as there are rows.
        assertThat(runsOn(na, job) + runsOn(nb, job)).as(job).isEqualTo(ofJob.size());
      }
    }
  }

  @Test
  @DisplayName("A slot that passed while the only node was down runs once when it starts, and not again after another restart")
  void missedSlotRunsOnceAfterRestart() throws Exception {
    String db = TestDatabases.freshDatabase();
    // A schedule with a single slot, which passes while the only node is down (the nodes' clock is moved).
    MutableClock clock = new MutableClock("2030-01-01T05:00:00Z");
    Instant slot = Instant.parse("2030-01-01T06:00:00Z");
    JsonObject patch = crons("0 0 6 1 1 ? 2030", NEVER_SO_FAR, 1);
    Map<String, String> env = Map.of("DATABASE_URL", db);

    try (TestApp first = node(env, patch, clock)) {
      assertThat(JobRuns.all(db)).as("nothing is due before the slot").isEmpty();
    }
    clock.set("2030-01-01T07:00:00Z");

    String secondNode;
    try (TestApp second = node(env, patch, clock)) {
      secondNode = second.app().node().nodeId();
      // started = the start-up check has claimed what was due
      List<Run> runs = JobRuns.all(db);
      assertThat(runs).extracting(Run::job, Run::scheduledFor, Run::nodeId)
          .containsExactly(org.assertj.core.groups.Tuple.tuple(IDEMPOTENCY_CLEANUP_NAME, slot, secondNode));
      JobRuns.finished(db, 1);
    }
    try (TestApp third = node(env, patch, clock)) {
      awaitChecks(third, 2); // periodic checks too
      assertThat(JobRuns.all(db)).extracting(Run::scheduledFor, Run::nodeId)
          .containsExactly(org.assertj.core.groups.Tuple.tuple(slot, secondNode));
      assertThat(runsOn(third, IDEMPOTENCY_CLEANUP_NAME)).isZero();
    }
  }

  @Test
  @DisplayName("A running node runs each slot as it comes, armed for the next slot after each one")
  void slotsAsTheyCome() {
    String db = TestDatabases.freshDatabase();
    // An hour between periodic checks: only the slot timer can claim the slots that follow start-up.
    try (TestApp app = TestApp.start(Map.of("DATABASE_URL", db), crons("*/2 * * * * ?", NEVER_SO_FAR, 3600))) {
      List<Instant> slots = JobRuns.eventually(() -> JobRuns.of(db, IDEMPOTENCY_CLEANUP_NAME).stream()
          .map(Run::scheduledFor).toList(), s -> s.size() >= 4);
      assertThat(slots).doesNotHaveDuplicates()
          .allSatisfy(s -> assertThat(s.getEpochSecond() % 2).isZero());
      assertThat(JobRuns.of(db, NOTIFICATION_CLEANUP_NAME)).isEmpty();
    }
  }
}
