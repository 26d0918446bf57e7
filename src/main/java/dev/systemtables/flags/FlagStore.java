package dev.systemtables.flags;

import dev.systemtables.common.ApiException;
import dev.systemtables.common.ErrorCode;
import dev.systemtables.common.Failures;
import dev.systemtables.common.Ids;
import static dev.systemtables.common.Times.iso;

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

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/** All SQL of the feature-flag domain. Every write also writes its audit row and NOTIFY in one transaction. */
final class FlagStore {

  private static final Logger LOG = LoggerFactory.getLogger(FlagStore.class);

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
  record Change(JsonObject flag, List<String> names) {
  }

  private final Pool pool;

  FlagStore(Pool pool) {
    this.pool = pool;
  }

  Future<JsonArray> list() {
    return pool.query(SELECT_ALL).execute().map(rows -> {
      JsonArray out = new JsonArray();
      rows.forEach(r -> out.add(toJson(r)));
      return out;
    });
  }

  /** Every flag, ready for evaluation. A row whose conditions cannot be read evaluates as disabled. */
  Future<List<Flag>> loadAll() {
    return pool.query(SELECT_ALL).execute().map(rows -> {
      List<Flag> flags = new ArrayList<>(rows.size());
      rows.forEach(r -> flags.add(toFlag(r)));
      return flags;
    });
  }

  Future<Change> create(JsonObject f, String actor) {
    Tuple args = Tuple.tuple().addString(Ids.next()).addString(f.getString("name"))
        .addBoolean(f.getBoolean("enabled")).addString(f.getString("description"))
        .addInteger(f.getInteger("rolloutPercentage")).addValue(f.getJsonObject("conditions")).addString(actor);
    return pool.withTransaction(conn -> conn.preparedQuery(INSERT).execute(args)
            .map(rows -> toJson(rows.iterator().next()))
            .compose(after -> audit(conn, "CREATE", actor, null, after)
                .compose(x -> notify(conn, List.of(after.getString("name"))))
                .map(names -> new Change(after, names))))
        .recover(t -> Future.failedFuture(nameTaken(t, f.getString("name"))));
  }

  /** Applies the fields present in {@code changes}; absent fields keep their value. */
  Future<Change> update(String id, JsonObject changes, String actor) {
    return pool.withTransaction(conn -> conn.preparedQuery(SELECT_FOR_UPDATE).execute(Tuple.of(id))
            .compose(rows -> {
              if (rows.size() == 0) return Future.failedFuture(ApiException.notFound("no flag with id " + id));
              JsonObject before = toJson(rows.iterator().next());
              JsonObject merged = before.copy();
              changes.forEach(e -> merged.put(e.getKey(), e.getValue()));
              Tuple args = Tuple.tuple().addString(id).addString(merged.getString("name"))
                  .addBoolean(merged.getBoolean("enabled")).addString(merged.getString("description"))
                  .addInteger(merged.getInteger("rolloutPercentage")).addValue(merged.getValue("conditions"))
                  .addString(actor);
              return conn.preparedQuery(UPDATE).execute(args)
                  .map(updated -> toJson(updated.iterator().next()))
                  .compose(after -> audit(conn, "UPDATE", actor, before, after)
                      .compose(x -> notify(conn, names(before, after)))
                      .map(names -> new Change(after, names)));
            }))
        .recover(t -> Future.failedFuture(nameTaken(t, changes.getString("name"))));
  }

  Future<Change> delete(String id, String actor) {
    return pool.withTransaction(conn -> conn.preparedQuery(DELETE).execute(Tuple.of(id))
        .compose(rows -> {
          if (rows.size() == 0) return Future.failedFuture(ApiException.notFound("no flag with id " + id));
          JsonObject before = toJson(rows.iterator().next());
          return audit(conn, "DELETE", actor, before, null)
              .compose(x -> notify(conn, List.of(before.getString("name"))))
              .map(names -> new Change(before, names));
        }));
  }

  /** Newest first. An id without audit rows is 404 unless the flag exists (rows written before this service). */
  Future<JsonArray> audit(String id) {
    return pool.preparedQuery(SELECT_AUDIT).execute(Tuple.of(id)).compose(rows -> {
      JsonArray out = new JsonArray();
      rows.forEach(r -> out.add(auditJson(r)));
      if (!out.isEmpty()) return Future.succeededFuture(out);
      return pool.preparedQuery(FLAG_EXISTS).execute(Tuple.of(id)).compose(found -> found.size() > 0
          ? Future.succeededFuture(out)
          : Future.failedFuture(ApiException.notFound("no flag with id " + id)));
    });
  }

  private static Future<RowSet<Row>> audit(SqlConnection conn, String action, String actor,
                                           JsonObject before, JsonObject after) {
    JsonObject flag = after != null ? after : before;
    return conn.preparedQuery(INSERT_AUDIT).execute(Tuple.tuple().addString(Ids.next())
        .addString(flag.getString("id")).addString(flag.getString("name")).addString(action).addString(actor)
        .addValue(before).addValue(after));
  }

  private static Future<List<String>> notify(SqlConnection conn, List<String> names) {
    return conn.preparedQuery(NOTIFY).execute(Tuple.of(FlagContract.NOTIFY_CHANNEL, new JsonArray(names).encode()))
        .map(names);
  }

  /** A rename changes the value of both names. */
  private static List<String> names(JsonObject before, JsonObject after) {
    LinkedHashSet<String> names = new LinkedHashSet<>();
    names.add(before.getString("name"));
    names.add(after.getString("name"));
    return List.copyOf(names);
  }

  private static Throwable nameTaken(Throwable t, String name) {
    return Failures.isUniqueViolation(t)
        ? new ApiException(ErrorCode.FLAG_NAME_TAKEN, "name '" + name + "' is already taken by another flag")
        : t;
  }

  /** The API shape of a flag row. */
  static JsonObject toJson(Row r) {
    return new JsonObject()
        .put("id", r.getString("id"))
        .put("name", r.getString("name"))
        .put("enabled", r.getBoolean("enabled"))
        .put("description", r.getString("description"))
        .put("rolloutPercentage", r.getInteger("rollout_percentage"))
        .put("conditions", jsonValue(r.getValue("conditions")))
        .put("createdBy", r.getString("created_by"))
        .put("updatedBy", r.getString("updated_by"))
        .put("createdAt", iso(r.getOffsetDateTime("created_at")))
        .put("updatedAt", iso(r.getOffsetDateTime("updated_at")));
  }

  private static JsonObject auditJson(Row r) {
    return new JsonObject()
        .put("id", r.getString("id"))
        .put("flagId", r.getString("flag_id"))
        .put("flagName", r.getString("flag_name"))
        .put("action", r.getString("action"))
        .put("actor", r.getString("actor"))
        .put("before", jsonValue(r.getValue("before")))
        .put("after", jsonValue(r.getValue("after")))
        .put("createdAt", iso(r.getOffsetDateTime("created_at")));
  }

  private static Flag toFlag(Row r) {
    String name = r.getString("name");
    boolean enabled = r.getBoolean("enabled");
    FlagConditions conditions;
    try {
      conditions = FlagRules.conditions(FlagJson.plain(jsonObject(r.getValue("conditions"))));
    } catch (FlagRules.Violation | ClassCastException e) {
      // Written around the service (e.g. by hand in SQL): fail closed rather than guess.
      LOG.warn("flag '{}' has unreadable conditions ({}); it evaluates as disabled", name, e.getMessage());
      enabled = false;
      conditions = null;
    }
    return new Flag(r.getString("id"), name, enabled, r.getInteger("rollout_percentage"), conditions);
  }

  /** A jsonb value as stored; JSON null reads as null. */
  private static Object jsonValue(Object value) {
    return value == Tuple.JSON_NULL ? null : value;
  }

  private static JsonObject jsonObject(Object value) {
    if (value == null) return null;
    if (value instanceof JsonObject o) return o;
    // A jsonb that is not an object (JSON null, a string...) is not a condition set.
    if (value == Tuple.JSON_NULL) return null;
    throw new ClassCastException("expected a JSON object, got " + value.getClass().getSimpleName());
  }

}
