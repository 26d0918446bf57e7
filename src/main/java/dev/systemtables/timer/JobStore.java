package dev.systemtables.timer;

import static dev.systemtables.common.Times.iso;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** All SQL of the timer: the {@code job_runs} table, the only one it owns. */
final class JobStore {

  // The unique (job_name, scheduled_for) constraint is the cross-node lock: only the node that
  // gets a row back runs the slot.
  private static final String CLAIM = """
      INSERT INTO job_runs (id, job_name, scheduled_for, node_id, status)
      VALUES ($1, $2, $3, $4, 'RUNNING')
      ON CONFLICT (job_name, scheduled_for) DO NOTHING
      RETURNING id
      """;

  // Unconditional: a run that was taken for dead but did finish records what really happened.
  private static final String FINISH = """
      UPDATE job_runs SET status = $2, finished_at = now(), deleted = $3, error = $4
      WHERE id = $1
      """;

  // Database time on both sides, so node clocks do not matter.
  private static final String FAIL_STALE = """
      UPDATE job_runs
      SET status = 'FAILED', finished_at = now(),
          error = 'abandoned: still RUNNING after ' || $1::int || ' minutes; node ' || node_id || ' stopped during the run'
      WHERE status = 'RUNNING' AND started_at < now() - make_interval(mins => $1::int)
      RETURNING job_name, scheduled_for
      """;

  private static final String ABANDON_OWN = """
      UPDATE job_runs
      SET status = 'FAILED', finished_at = now(), error = 'node ' || node_id || ' stopped before the run finished'
      WHERE node_id = $1 AND status = 'RUNNING'
      """;

  // Newest runs of each job, one index range scan per job.
  private static final String RECENT = """
      SELECT j.name AS job, r.id, r.scheduled_for, r.node_id, r.status, r.started_at, r.finished_at, r.deleted, r.error
      FROM unnest($1::text[]) AS j(name)
      CROSS JOIN LATERAL (
        SELECT * FROM job_runs WHERE job_name = j.name ORDER BY started_at DESC, id DESC LIMIT $2
      ) r
      ORDER BY j.name, r.started_at DESC, r.id DESC
      """;

  private final Pool pool;

  JobStore(Pool pool) {
    this.pool = pool;
  }

  /** Claims a slot; the run's id when this node got it, null when another run already holds it. */
  Future<String> claim(String id, String job, Instant slot, String nodeId) {
    return pool.preparedQuery(CLAIM)
        .execute(Tuple.of(id, job, slot.atOffset(ZoneOffset.UTC), nodeId))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString("id"));
  }

  Future<Void> finish(String id, String status, long deleted, String error) {
    return pool.preparedQuery(FINISH).execute(Tuple.of(id, status, deleted, error)).mapEmpty();
  }

  /** Marks runs left RUNNING for longer than {@code staleAfter} as FAILED; the slots marked, for the log. */
  Future<List<String>> failStale(Duration staleAfter) {
    return pool.preparedQuery(FAIL_STALE).execute(Tuple.of((int) staleAfter.toMinutes()))
        .map(rows -> {
          List<String> slots = new ArrayList<>();
          for (Row r : rows) slots.add(r.getString("job_name") + "@" + iso(r.getOffsetDateTime("scheduled_for")));
          return slots;
        });
  }

  /** Marks this node's unfinished runs FAILED (it is stopping and will not finish them). */
  Future<Integer> abandonOwn(String nodeId) {
    return pool.preparedQuery(ABANDON_OWN).execute(Tuple.of(nodeId)).map(RowSet::rowCount);
  }

  /** Up to {@code limit} newest runs of each job, newest first. */
  Future<Map<String, List<JobRun>>> recentRuns(List<String> jobs, int limit) {
    return pool.preparedQuery(RECENT)
        .execute(Tuple.tuple().addArrayOfString(jobs.toArray(String[]::new)).addInteger(limit))
        .map(rows -> {
          Map<String, List<JobRun>> byJob = new LinkedHashMap<>();
          for (String job : jobs) byJob.put(job, new ArrayList<>());
          for (Row r : rows) byJob.get(r.getString("job")).add(toRun(r));
          return byJob;
        });
  }

  private static JobRun toRun(Row r) {
    return new JobRun(r.getString("id"), instant(r.getOffsetDateTime("scheduled_for")), r.getString("node_id"),
        r.getString("status"), instant(r.getOffsetDateTime("started_at")), instant(r.getOffsetDateTime("finished_at")),
        r.getLong("deleted"), r.getString("error"));
  }

  private static Instant instant(OffsetDateTime t) {
    return t == null ? null : t.toInstant();
  }
}
