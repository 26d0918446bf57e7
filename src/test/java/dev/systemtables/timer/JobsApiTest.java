package dev.systemtables.timer;

import dev.systemtables.testing.Resp;
import dev.systemtables.testing.TestApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Jobs admin API: schedules, next runs, recent runs, manual runs and metrics")
class JobsApiTest {

  static TestApp app;
  static String admin;
  static Instant startedAt;

  @BeforeAll
  static void start() {
    startedAt = Instant.now();
    // The list shows the run the node made of each job's latest slot when it started: the scheduler is on.
    app = TestApp.start(java.util.Map.of(), new io.vertx.core.json.JsonObject().put("jobs",
        new io.vertx.core.json.JsonObject().put("schedulerEnabled", true)));
    admin = app.token("ops-admin", "ADMIN");
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  static JsonArray jobs() {
    Resp r = app.get("/api/v1/jobs", admin);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return r.json().getJsonArray("data");
  }

  static JsonObject job(String name) {
    return jobs().stream().map(JsonObject.class::cast).filter(j -> j.getString("name").equals(name)).findFirst()
        .orElseThrow();
  }

  /** Polls the API until the run is no longer RUNNING; its entry in recentRuns. */
  static JsonObject finishedRun(String name, String runId) {
    return JobRuns.eventually(() -> job(name).getJsonArray("recentRuns").stream().map(JsonObject.class::cast)
        .filter(r -> r.getString("id").equals(runId)).findFirst().orElse(null),
        run -> run != null && !run.getString("status").equals("RUNNING"));
  }

  @Test
  @DisplayName("GET /jobs lists each job with its cron schedule, its next slot and its recent runs")
  void listShape() {
    Instant before = Instant.now();
    JsonArray jobs = jobs();
    Instant after = Instant.now();
    assertThat(jobs).hasSize(2);
    JsonObject idem = jobs.getJsonObject(0);
    JsonObject notif = jobs.getJsonObject(1);
    assertThat(idem.getString("name")).isEqualTo("idempotency-cleanup");
    assertThat(idem.getString("schedule")).isEqualTo("0 0 */6 * * ?");
    assertThat(notif.getString("name")).isEqualTo("notification-cleanup");
    assertThat(notif.getString("schedule")).isEqualTo("0 0 3 * * ?");
    for (JsonObject j : List.of(idem, notif)) {
      Schedule s = Schedule.parse(j.getString("schedule"));
      assertThat(j.getString("nextRunAt")).endsWith("Z");
      assertThat(Instant.parse(j.getString("nextRunAt")))
          .isBetween(s.nextAfter(before).orElseThrow(), s.nextAfter(after).orElseThrow());
      // the node ran the latest slot when it started
      JsonArray runs = j.getJsonArray("recentRuns");
      assertThat(runs).isNotEmpty();
      JsonObject startUpRun = runs.stream().map(JsonObject.class::cast)
          .filter(r -> !Instant.parse(r.getString("scheduledFor")).isAfter(s.lastAtOrBefore(after).orElseThrow())
              && !Instant.parse(r.getString("scheduledFor")).isBefore(s.lastAtOrBefore(startedAt).orElseThrow()))
          .findFirst().orElseThrow();
      assertThat(startUpRun.fieldNames()).contains("startedAt", "finishedAt", "status", "deleted", "error");
      assertThat(startUpRun.getString("startedAt")).endsWith("Z");
      assertThat(startUpRun.getString("status")).isIn("RUNNING", "SUCCEEDED", "FAILED");
    }
  }

  @Test
  @DisplayName("POST /jobs/{name}/run answers 202 at once and the run shows up, finished, newest first")
  void manualRun() {
    Resp first = app.post("/api/v1/jobs/notification-cleanup/run", admin, null);
    assertThat(first.status()).as(first.toString()).isEqualTo(202);
    JsonObject accepted = first.data();
    assertThat(accepted.getString("name")).isEqualTo("notification-cleanup");
    assertThat(accepted.getString("status")).isEqualTo("RUNNING");
    assertThat(Instant.parse(accepted.getString("scheduledFor"))).isAfterOrEqualTo(startedAt);
    JsonObject run1 = finishedRun("notification-cleanup", accepted.getString("runId"));

    String second = app.post("/api/v1/jobs/notification-cleanup/run", admin, "").data().getString("runId");
    JsonObject run2 = finishedRun("notification-cleanup", second);

    // Without the notification domain's consumer the run fails with the reason; with it, it succeeds.
    for (JsonObject run : List.of(run1, run2)) {
      assertThat(run.getString("status")).isIn("SUCCEEDED", "FAILED");
      assertThat(run.getString("finishedAt")).isNotNull();
      assertThat(Instant.parse(run.getString("finishedAt"))).isAfterOrEqualTo(Instant.parse(run.getString("startedAt")));
      assertThat(run.getString("error") == null).isEqualTo(run.getString("status").equals("SUCCEEDED"));
    }
    JsonArray recent = job("notification-cleanup").getJsonArray("recentRuns");
    assertThat(recent.getJsonObject(0).getString("id")).isEqualTo(second);
    assertThat(recent.getJsonObject(1).getString("id")).isEqualTo(accepted.getString("runId"));
  }

  @Test
  @DisplayName("Running an unknown job is a 404 problem naming it")
  void unknownJob() {
    Resp r = app.post("/api/v1/jobs/compact-everything/run", admin, null);
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.header("Content-Type")).isEqualTo("application/problem+json");
    assertThat(r.json().getString("code")).isEqualTo("NOT_FOUND");
    assertThat(r.json().getString("detail")).contains("compact-everything");
  }

  @ParameterizedTest(name = "{0} gets 403")
  @ValueSource(strings = {"CREATOR", "BRAND", "VIEWER", "SERVICE"})
  @DisplayName("Only admins see or run jobs")
  void nonAdminsAreRefused(String role) {
    String token = app.token("someone-" + role, role);
    Resp list = app.get("/api/v1/jobs", token);
    Resp run = app.post("/api/v1/jobs/idempotency-cleanup/run", token, null);
    assertThat(list.status()).isEqualTo(403);
    assertThat(run.status()).isEqualTo(403);
    assertThat(run.json().getString("code")).isEqualTo("FORBIDDEN");
    assertThat(app.get("/api/v1/jobs", null).status()).isEqualTo(401);
  }

  @Test
  @DisplayName("/metrics counts this node's runs by job and outcome, with durations and deleted rows")
  void metrics() {
    String runId = app.post("/api/v1/jobs/idempotency-cleanup/run", admin, null).data().getString("runId");
    finishedRun("idempotency-cleanup", runId);
    // the start-up run too: a run is counted when it ends
    long finishedRuns = JobRuns.eventually(() -> job("idempotency-cleanup").getJsonArray("recentRuns"),
        runs -> runs.stream().map(JsonObject.class::cast).noneMatch(r -> r.getString("status").equals("RUNNING")))
        .size();

    String text = app.get("/metrics", null).body();
    assertThat(text).contains("jobs_run_duration_seconds_count{job=\"idempotency-cleanup\",status=\"SUCCEEDED\"}")
        .contains("jobs_run_duration_seconds_sum{job=\"notification-cleanup\",status=\"FAILED\"}")
        .contains("jobs_deleted_total{job=\"notification-cleanup\"}");
    // every finished run of this single node is counted once, whatever its outcome
    assertThat(sum(text, "jobs_runs_total", "idempotency-cleanup")).isEqualTo(finishedRuns);
    assertThat(sum(text, "jobs_run_duration_seconds_count", "idempotency-cleanup")).isEqualTo(finishedRuns);
  }

  static long sum(String prometheus, String metric, String job) {
    Matcher m = Pattern.compile("^" + metric + "\\{job=\"" + Pattern.quote(job) + "\"[^}]*} ([0-9.eE+-]+)$",
        Pattern.MULTILINE).matcher(prometheus);
    double total = 0;
    while (m.find()) total += Double.parseDouble(m.group(1));
    return Math.round(total);
  }
}
