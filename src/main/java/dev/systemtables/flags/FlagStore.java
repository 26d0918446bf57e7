package dev.systemtables.flags;

import dev.systemtables.common.ApiException;
import dev.systemtables.common.BadInput;
import dev.systemtables.common.ErrorCode;
import dev.systemtables.common.Failures;
import dev.systemtables.common.Ids;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/** All SQL of the feature-flag domain. Every write also writes its audit row and NOTIFY in one transaction. */
final class FlagStore {

  private static final Logger LOG = LoggerFactory.getLogger(FlagStore.class);

  /** PostgreSQL {@code LISTEN/NOTIFY} channel; the payload is a JSON array of the changed names. */
  static final String NOTIFY_CHANNEL = "flags_changed";

  private static final String COLUMNS = """
      id, name, enabled, description, rollout_percentage, conditions, created_by, updated_by, created_at, updated_at""";

  private static final String SELECT_ALL = "SELECT " + COLUMNS + " FROM feature_flags ORDER BY name";

  private static final String INSERT = """
      INSERT INTO feature_flags (id, name, enabled, description, rollout_percentage, conditions, created_by, updated_by)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
      RETURNING\s""" + COLUMNS;

  // Row lock: two concurrent PATCHes of one flag apply one after the other, each on the other's result.
  private static final String SELECT_FOR_UPDATE = "SELECT " + COLUMNS + " FROM feature_flags WHERE id = $1 FOR UPDATE";

  private static final String UPDATE = """
      UPDATE feature_flags
      SET name = $2, enabled = $3, description = $4, rollout_percentage = $5, conditions = $6,
          updated_by = $7, updated_at = now()
      WHERE id = $1
      RETURNING\s""" + COLUMNS;

  private static final String DELETE = "DELETE FROM feature_flags WHERE id = $1 RETURNING " + COLUMNS;

  private static final String INSERT_AUDIT = """
      INSERT INTO feature_flag_audit (id, flag_id, flag_name, action, actor, before, after, source, on_behalf_of)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
      """;

  private static final String SELECT_AUDIT = """
      SELECT id, flag_id, flag_name, action, actor, before, after, created_at, source, on_behalf_of
      FROM feature_flag_audit WHERE flag_id = $1
      ORDER BY created_at DESC, id DESC
      """;

  // ---- scheduled changes ----

  private static final String CHANGE_COLUMNS = """
      id, flag_id, flag_name, patch, run_at, scheduled_by, status, created_at, applied_at, applied_by, cancelled_by, error""";

  // Only for a flag that exists (no row back: 404).
  private static final String INSERT_CHANGE = """
      INSERT INTO flag_scheduled_changes (id, flag_id, flag_name, patch, run_at, scheduled_by)
      SELECT $1, id, name, $3, $4, $5 FROM feature_flags WHERE id = $2
      RETURNING\s""" + CHANGE_COLUMNS;

  private static final String SELECT_CHANGES = "SELECT " + CHANGE_COLUMNS + """
       FROM flag_scheduled_changes
      WHERE ($1::text IS NULL OR flag_id = $1) AND ($2::text IS NULL OR status = $2)
      ORDER BY run_at, id
      """;

  private static final String CANCEL_CHANGE = """
      UPDATE flag_scheduled_changes SET status = 'cancelled', cancelled_by = $2
      WHERE id = $1 AND status = 'pending'
      RETURNING\s""" + CHANGE_COLUMNS;

  private static final String SELECT_CHANGE = "SELECT " + CHANGE_COLUMNS + " FROM flag_scheduled_changes WHERE id = $1";

  // Deleting a flag cancels what was scheduled for it, in the delete's transaction.
  private static final String CANCEL_FLAG_CHANGES = """
      UPDATE flag_scheduled_changes SET status = 'cancelled', cancelled_by = $2, error = 'the flag was deleted'
      WHERE flag_id = $1 AND status = 'pending'
      """;

  // Database time, so the nodes' clocks do not matter. The partial index on run_at answers both.
  private static final String DUE_CHANGES = """
      SELECT id FROM flag_scheduled_changes
      WHERE status = 'pending' AND run_at <= now()
      ORDER BY run_at, id
      LIMIT $1
      """;

  private static final String NEXT_CHANGE_IN_MS = """
      SELECT (EXTRACT(EPOCH FROM (min(run_at) - now())) * 1000)::bigint AS wait_ms
      FROM flag_scheduled_changes WHERE status = 'pending'
      """;

  // The once-across-the-cluster decision: the first transaction to flip it applies it; a concurrent one
  // waits on the row lock, then finds it no longer pending. Rolled back with the flag update if that fails.
  private static final String TAKE_DUE_CHANGE = """
      UPDATE flag_scheduled_changes SET status = 'applied', applied_at = now(), applied_by = $2
      WHERE id = $1 AND status = 'pending' AND run_at <= now()
      RETURNING\s""" + CHANGE_COLUMNS;

  private static final String FAIL_CHANGE = """
      UPDATE flag_scheduled_changes SET status = 'failed', applied_at = now(), applied_by = $2, error = $3
      WHERE id = $1 AND status = 'pending'
      RETURNING\s""" + CHANGE_COLUMNS;

  private static final String FLAG_EXISTS = "SELECT 1 FROM feature_flags WHERE id = $1";

  // pg_notify rather than NOTIFY so the payload is a bound parameter; delivered only if the transaction commits.
  private static final String NOTIFY = "SELECT pg_notify($1, $2)";

  /**
   * Who writes, as the audit records it: an admin's token ({@code api}), the scheduler applying a change on
   * behalf of the admin who scheduled it, or an admin's Unleash import.
   */
  record Actor(String name, String source, String onBehalfOf) {
    /** The audit's actor of a scheduled change. */
    static final String SCHEDULER = "scheduler";

    static Actor api(String sub) {
      return new Actor(sub, "api", null);
    }

    static Actor scheduler(String scheduledBy) {
      return new Actor(SCHEDULER, "scheduler", scheduledBy);
    }

    static Actor importer(String sub) {
      return new Actor(sub, "import", null);
    }
  }

  /** A committed write: the flag as it is now (as it was, for a delete) and the names whose value may change. */
  record Change(Flag flag, List<String> names) {
  }

  private final Pool pool;

  FlagStore(Pool pool) {
    this.pool = pool;
  }

  /** Every flag by name. A row whose conditions cannot be read matches nobody (see {@link FlagConditions#unreadable}). */
  Future<List<Flag>> loadAll() {
    return pool.query(SELECT_ALL).execute().map(rows -> {
      List<Flag> flags = new ArrayList<>(rows.size());
      rows.forEach(r -> flags.add(toFlag(r)));
      return flags;
    });
  }

  Future<Change> create(NewFlag f, String actor) {
    Tuple args = Tuple.tuple().addString(Ids.next()).addString(f.name()).addBoolean(f.enabled())
        .addString(f.description()).addInteger(f.rolloutPercentage()).addValue(conditionsValue(f.conditions()))
        .addString(actor);
    return pool.withTransaction(conn -> conn.preparedQuery(INSERT).execute(args)
            .map(rows -> toFlag(rows.iterator().next()))
            .compose(after -> audit(conn, "CREATE", Actor.api(actor), null, after)
                .compose(x -> notify(conn, List.of(after.name())))
                .map(names -> new Change(after, names))))
        .recover(t -> Future.failedFuture(nameTaken(t, f.name())));
  }

  /** Applies the fields the patch names; the others keep their value. */
  Future<Change> update(String id, FlagPatch patch, String actor) {
    return pool.withTransaction(conn -> update(conn, id, patch, Actor.api(actor)))
        .recover(t -> Future.failedFuture(nameTaken(t, patch.name())));
  }

  private Future<Change> update(SqlConnection conn, String id, FlagPatch patch, Actor actor) {
    return conn.preparedQuery(SELECT_FOR_UPDATE).execute(Tuple.of(id))
        .compose(rows -> {
          if (rows.size() == 0) return Future.failedFuture(ApiException.notFound("no flag with id " + id));
          Flag before = toFlag(rows.iterator().next());
          Flag merged = patch.applyTo(before, actor.name());
          Tuple args = Tuple.tuple().addString(id).addString(merged.name()).addBoolean(merged.enabled())
              .addString(merged.description()).addInteger(merged.rolloutPercentage())
              .addValue(conditionsValue(merged.conditions())).addString(actor.name());
          return conn.preparedQuery(UPDATE).execute(args)
              .map(updated -> toFlag(updated.iterator().next()))
              .compose(after -> audit(conn, "UPDATE", actor, before, after)
                  .compose(x -> notify(conn, names(before, after)))
                  .map(names -> new Change(after, names)));
        });
  }

  Future<Change> delete(String id, String actor) {
    return pool.withTransaction(conn -> conn.preparedQuery(DELETE).execute(Tuple.of(id))
        .compose(rows -> {
          if (rows.size() == 0) return Future.failedFuture(ApiException.notFound("no flag with id " + id));
          Flag before = toFlag(rows.iterator().next());
          return audit(conn, "DELETE", Actor.api(actor), before, null)
              .compose(x -> conn.preparedQuery(CANCEL_FLAG_CHANGES).execute(Tuple.of(id, actor)))
              .compose(x -> notify(conn, List.of(before.name())))
              .map(names -> new Change(before, names));
        }));
  }

  // ---- scheduled changes ----

  /** Schedules a PATCH body (already checked) for a flag; {@code NOT_FOUND} for an unknown flag. */
  Future<ScheduledChange> schedule(String flagId, JsonObject patch, Instant at, String actor) {
    return pool.preparedQuery(INSERT_CHANGE)
        .execute(Tuple.of(Ids.next(), flagId, patch, at.atOffset(ZoneOffset.UTC), actor))
        .compose(rows -> rows.size() == 0
            ? Future.failedFuture(ApiException.notFound("no flag with id " + flagId))
            : Future.succeededFuture(toChange(rows.iterator().next())));
  }

  /** Scheduled changes in time order, of one flag (null: all) and one status (null: any). */
  Future<List<ScheduledChange>> scheduledChanges(String flagId, String status) {
    return pool.preparedQuery(SELECT_CHANGES).execute(Tuple.of(flagId, status)).map(rows -> {
      List<ScheduledChange> out = new ArrayList<>(rows.size());
      rows.forEach(r -> out.add(toChange(r)));
      return out;
    });
  }

  /** Whether a flag with this id exists now. */
  Future<Boolean> flagExists(String id) {
    return pool.preparedQuery(FLAG_EXISTS).execute(Tuple.of(id)).map(rows -> rows.size() > 0);
  }

  /** Cancels a pending change; {@code NOT_FOUND} when unknown, {@code CONFLICT} once applied, failed or cancelled. */
  Future<ScheduledChange> cancel(String changeId, String actor) {
    return pool.preparedQuery(CANCEL_CHANGE).execute(Tuple.of(changeId, actor)).compose(rows -> {
      if (rows.size() > 0) return Future.succeededFuture(toChange(rows.iterator().next()));
      return pool.preparedQuery(SELECT_CHANGE).execute(Tuple.of(changeId)).compose(found -> {
        if (found.size() == 0) {
          return Future.failedFuture(ApiException.notFound("no scheduled change with id " + changeId));
        }
        ScheduledChange c = toChange(found.iterator().next());
        return Future.failedFuture(new ApiException(ErrorCode.CONFLICT,
            "scheduled change " + changeId + " is already " + c.status() + "; only a pending change can be cancelled"));
      });
    });
  }

  /** Ids of the pending changes due now (database time), oldest first, at most {@code limit}. */
  Future<List<String>> dueChanges(int limit) {
    return pool.preparedQuery(DUE_CHANGES).execute(Tuple.of(limit)).map(rows -> {
      List<String> ids = new ArrayList<>(rows.size());
      rows.forEach(r -> ids.add(r.getString("id")));
      return ids;
    });
  }

  /** Milliseconds until the next pending change is due (≤ 0: due now), null when none is pending. */
  Future<Long> nextChangeInMs() {
    return pool.query(NEXT_CHANGE_IN_MS).execute().map(rows -> rows.iterator().next().getLong("wait_ms"));
  }

  /**
   * Applies one due change, if it is still pending: in one transaction the change is taken (only one node
   * can), the flag updated, audited as done by the scheduler on behalf of the admin who scheduled it, and
   * NOTIFYed. Null when there was nothing to do (another node took it, or it was cancelled); a failed future
   * when the patch cannot be applied (then nothing of it is written).
   */
  Future<Change> applyScheduled(String changeId, String nodeId) {
    return pool.withTransaction(conn -> conn.preparedQuery(TAKE_DUE_CHANGE).execute(Tuple.of(changeId, nodeId))
        .compose(rows -> {
          if (rows.size() == 0) return Future.succeededFuture(null);
          ScheduledChange change = toChange(rows.iterator().next());
          FlagPatch patch = FlagPatch.fromJson(change.patch());
          return update(conn, change.flagId(), patch, Actor.scheduler(change.scheduledBy()))
              .recover(t -> Future.failedFuture(nameTaken(t, patch.name())));
        }));
  }

  /** Marks a pending change failed with the reason; null when it was no longer pending. */
  Future<ScheduledChange> failScheduled(String changeId, String nodeId, String error) {
    return pool.preparedQuery(FAIL_CHANGE).execute(Tuple.of(changeId, nodeId, error))
        .map(rows -> rows.size() == 0 ? null : toChange(rows.iterator().next()));
  }

  /** Newest first. An id without audit rows is 404 unless the flag exists (rows written before this service). */
  Future<List<FlagAudit>> audit(String id) {
    return pool.preparedQuery(SELECT_AUDIT).execute(Tuple.of(id)).compose(rows -> {
      List<FlagAudit> out = new ArrayList<>(rows.size());
      rows.forEach(r -> out.add(toAudit(r)));
      if (!out.isEmpty()) return Future.succeededFuture(out);
      return pool.preparedQuery(FLAG_EXISTS).execute(Tuple.of(id)).compose(found -> found.size() > 0
          ? Future.succeededFuture(out)
          : Future.failedFuture(ApiException.notFound("no flag with id " + id)));
    });
  }

  private static Future<RowSet<Row>> audit(SqlConnection conn, String action, Actor actor, Flag before, Flag after) {
    Flag flag = after != null ? after : before;
    return conn.preparedQuery(INSERT_AUDIT).execute(Tuple.tuple().addString(Ids.next())
        .addString(flag.id()).addString(flag.name()).addString(action).addString(actor.name())
        .addValue(before == null ? null : FlagJson.toJson(before))
        .addValue(after == null ? null : FlagJson.toJson(after))
        .addString(actor.source()).addString(actor.onBehalfOf()));
  }

  private static Future<List<String>> notify(SqlConnection conn, List<String> names) {
    return conn.preparedQuery(NOTIFY).execute(Tuple.of(NOTIFY_CHANNEL, new JsonArray(names).encode())).map(names);
  }

  /** A rename changes the value of both names. */
  private static List<String> names(Flag before, Flag after) {
    LinkedHashSet<String> names = new LinkedHashSet<>();
    names.add(before.name());
    names.add(after.name());
    return List.copyOf(names);
  }

  private static Throwable nameTaken(Throwable t, String name) {
    return Failures.isUniqueViolation(t)
        ? new ApiException(ErrorCode.FLAG_NAME_TAKEN, "name '" + name + "' is already taken by another flag")
        : t;
  }

  private static Object conditionsValue(FlagConditions c) {
    return c == null ? null : FlagJson.json(c.asWritten());
  }

  private static Flag toFlag(Row r) {
    return new Flag(r.getString("id"), r.getString("name"), r.getBoolean("enabled"), r.getString("description"),
        r.getInteger("rollout_percentage"), conditions(r.getString("name"), r.getValue("conditions")),
        r.getString("created_by"), r.getString("updated_by"), instant(r.getOffsetDateTime("created_at")),
        instant(r.getOffsetDateTime("updated_at")));
  }

  private static FlagConditions conditions(String name, Object value) {
    if (value == null || value == Tuple.JSON_NULL) return null;
    Object raw = FlagJson.plain(value);
    try {
      return FlagRules.conditions(raw);
    } catch (BadInput | ClassCastException e) {
      // Written around the service (e.g. by hand in SQL): fail closed rather than guess.
      LOG.warn("flag '{}' has unreadable conditions ({}); it matches nobody", name, e.getMessage());
      return FlagConditions.unreadable(raw);
    }
  }

  private static FlagAudit toAudit(Row r) {
    return new FlagAudit(r.getString("id"), r.getString("flag_id"), r.getString("flag_name"), r.getString("action"),
        r.getString("actor"), jsonObject(r.getValue("before")), jsonObject(r.getValue("after")),
        instant(r.getOffsetDateTime("created_at")), r.getString("source"), r.getString("on_behalf_of"));
  }

  private static ScheduledChange toChange(Row r) {
    return new ScheduledChange(r.getString("id"), r.getString("flag_id"), r.getString("flag_name"),
        jsonObject(r.getValue("patch")), instant(r.getOffsetDateTime("run_at")), r.getString("scheduled_by"),
        r.getString("status"), instant(r.getOffsetDateTime("created_at")), instant(r.getOffsetDateTime("applied_at")),
        r.getString("applied_by"), r.getString("cancelled_by"), r.getString("error"));
  }

  private static JsonObject jsonObject(Object value) {
    return value instanceof JsonObject o ? o : null;
  }

  private static Instant instant(OffsetDateTime t) {
    return t == null ? null : t.toInstant();
  }
}
