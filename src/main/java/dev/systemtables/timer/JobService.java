package dev.systemtables.timer;

import io.vertx.core.Future;

import java.util.List;

/** The scheduled jobs as operators reach them, served by {@link TimerVerticle}. */
public interface JobService {

  /** How many runs per job {@link #list} reports. */
  int RECENT_RUNS = 10;

  /** Every job in configuration order, with its {@link #RECENT_RUNS} newest runs. */
  Future<List<JobStatus>> list();

  /**
   * Starts a run of the job now, in a manual slot of its own, and answers once the slot is claimed (the run
   * goes on after the answer, status {@code RUNNING}). {@code NOT_FOUND} for an unknown job.
   */
  Future<JobRun> runNow(String name);
}
