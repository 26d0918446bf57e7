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
      INSERT INTO feature_flag_audit (id, flag_id, flag_name, action, actor, before, after)
      VALUES ($1, $2, $3, $4, $5, $6, $7)
      """;

  private static final String SELECT_AUDIT = """
      SELECT id, flag_id, flag_name, action, actor, before, after, created_at
      FROM feature_flag_audit WHERE flag_id = $1
      ORDER BY created_at DESC, id DESC
      """;

  private static final String FLAG_EXISTS = "SELECT 1 FROM feature_flags WHERE id = $1";

  // pg_notify rather than NOTIFY so the payload is a bound parameter; delivered only if the transaction commits.
  private static final String NOTIFY = "SELECT pg_notify($1, $2)";

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
            .compose(after -> audit(conn, "CREATE", actor, null, after)
                .compose(x -> notify(conn, List.of(after.name())))
                .map(names -> new Change(after, names))))
        .recover(t -> Future.failedFuture(nameTaken(t, f.name())));
  }

  /** Applies the fields the patch names; the others keep their value. */
  Future<Change> update(String id, FlagPatch patch, String actor) {
    return pool.withTransaction(conn -> conn.preparedQuery(SELECT_FOR_UPDATE).execute(Tuple.of(id))
            .compose(rows -> {
              if (rows.size() == 0) return Future.failedFuture(ApiException.notFound("no flag with id " + id));
              Flag before = toFlag(rows.iterator().next());
              Flag merged = patch.applyTo(before, actor);
              Tuple args = Tuple.tuple().addString(id).addString(merged.name()).addBoolean(merged.enabled())
                  .addString(merged.description()).addInteger(merged.rolloutPercentage())
                  .addValue(conditionsValue(merged.conditions())).addString(actor);
              return conn.preparedQuery(UPDATE).execute(args)
                  .map(updated -> toFlag(updated.iterator().next()))
                  .compose(after -> audit(conn, "UPDATE", actor, before, after)
                      .compose(x -> notify(conn, names(before, after)))
                      .map(names -> new Change(after, names)));
            }))
        .recover(t -> Future.failedFuture(nameTaken(t, patch.name())));
  }

  Future<Change> delete(String id, String actor) {
    return pool.withTransaction(conn -> conn.preparedQuery(DELETE).execute(Tuple.of(id))
        .compose(rows -> {
          if (rows.size() == 0) return Future.failedFuture(ApiException.notFound("no flag with id " + id));
          Flag before = toFlag(rows.iterator().next());
          return audit(conn, "DELETE", actor, before, null)
              .compose(x -> notify(conn, List.of(before.name())))
              .map(names -> new Change(before, names));
        }));
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

  private static Future<RowSet<Row>> audit(SqlConnection conn, String action, String actor, Flag before, Flag after) {
    Flag flag = after != null ? after : before;
    return conn.preparedQuery(INSERT_AUDIT).execute(Tuple.tuple().addString(Ids.next())
        .addString(flag.id()).addString(flag.name()).addString(action).addString(actor)
        .addValue(before == null ? null : FlagJson.toJson(before))
        .addValue(after == null ? null : FlagJson.toJson(after)));
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
        instant(r.getOffsetDateTime("created_at")));
  }

  private static JsonObject jsonObject(Object value) {
    return value instanceof JsonObject o ? o : null;
  }

  private static Instant instant(OffsetDateTime t) {
    return t == null ? null : t.toInstant();
  }
}
