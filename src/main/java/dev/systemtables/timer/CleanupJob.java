package dev.systemtables.timer;

import io.vertx.core.Future;

import java.time.Instant;

/**
 * A scheduled purge, registered by the domain that owns the rows. The timer decides when it runs (its cron
 * schedule is {@code jobs.<name>.cron}), runs each slot once across every node, and records the run; the
 * job decides what to delete, through its domain's service.
 */
public interface CleanupJob {

  /** The job's name: its key under {@code jobs} in the configuration, and its name in {@code /api/v1/jobs}. */
  String name();

  /**
   * Deletes what is due at {@code now}, at most {@code batchSize} rows per statement; the number of rows
   * deleted. A failed future records the run as FAILED with its message.
   */
  Future<Long> run(Instant now, int batchSize);
}
