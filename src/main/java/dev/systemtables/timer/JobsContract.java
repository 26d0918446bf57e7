package dev.systemtables.timer;

import java.util.List;

/**
 * Event-bus contract of the timer domain (node-local request/reply), used by the admin API.
 *
 * <ul>
 *   <li>{@link #LIST}: {@code {}} → {@code {"jobs": [{"name", "schedule", "nextRunAt", "recentRuns": [run...]}]}},
 *   jobs in {@link #JOB_NAMES} order; a run is {@code {"id", "scheduledFor", "nodeId", "status", "startedAt",
 *   "finishedAt", "deleted", "error"}}, newest first, at most {@link #RECENT_RUNS}. Timestamps ISO-8601 UTC;
 *   {@code nextRunAt} is null when the schedule never fires again.</li>
 *   <li>{@link #RUN}: {@code {"name"}} → {@code {"name", "runId", "scheduledFor", "status": "RUNNING"}} once the
 *   manual slot is claimed; the run itself goes on after the reply. Unknown job → {@code NOT_FOUND}.</li>
 * </ul>
 */
public final class JobsContract {

  public static final String LIST = "jobs.list";
  public static final String RUN = "jobs.run";

  /** Deletes expired idempotency records. */
  public static final String IDEMPOTENCY_CLEANUP = "idempotency-cleanup";
  /** Deletes notifications read more than the retention period ago. */
  public static final String NOTIFICATION_CLEANUP = "notification-cleanup";
  public static final List<String> JOB_NAMES = List.of(IDEMPOTENCY_CLEANUP, NOTIFICATION_CLEANUP);

  /** How many runs per job {@link #LIST} reports. */
  public static final int RECENT_RUNS = 10;

  private JobsContract() {
  }
}
