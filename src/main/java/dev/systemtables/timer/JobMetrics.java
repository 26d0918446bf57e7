package dev.systemtables.timer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.List;

/**
 * This node's job meters, in Prometheus as {@code jobs_runs_total{job,status}},
 * {@code jobs_run_duration_seconds{job,status}} and {@code jobs_deleted_total{job}}.
 * Registered up front so a scrape shows zeros before the first run instead of nothing.
 */
final class JobMetrics {

  static final String RUNS = "jobs.runs";
  static final String DURATION = "jobs.run.duration";
  static final String DELETED = "jobs.deleted";
  static final String CHECKS = "jobs.scheduler.checks";

  private final MeterRegistry registry;
  private final Counter checks;

  JobMetrics(MeterRegistry registry, List<String> jobs) {
    this.registry = registry;
    for (String job : jobs) {
      for (String status : List.of(TimerVerticle.SUCCEEDED, TimerVerticle.FAILED)) {
        runs(job, status);
        duration(job, status);
      }
      deleted(job);
    }
    checks = Counter.builder(CHECKS).description("Rounds of the scheduler looking for due slots on this node")
        .register(registry);
  }

  /** One more round of looking for due slots (a scheduler that stopped checking shows as a flat line). */
  void checked() {
    checks.increment();
  }

  void record(String job, String status, Duration took, long deletedRows) {
    runs(job, status).increment();
    duration(job, status).record(took);
    if (deletedRows > 0) deleted(job).increment(deletedRows);
  }

  private Counter runs(String job, String status) {
    return Counter.builder(RUNS).description("Job runs this node executed, by outcome")
        .tags("job", job, "status", status).register(registry);
  }

  private Timer duration(String job, String status) {
    return Timer.builder(DURATION).description("How long this node's job runs took, by outcome")
        .tags("job", job, "status", status).register(registry);
  }

  private Counter deleted(String job) {
    return Counter.builder(DELETED).description("Rows deleted by this node's job runs")
        .tags("job", job).register(registry);
  }
}
