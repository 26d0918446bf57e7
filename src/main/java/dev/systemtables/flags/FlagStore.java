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
import java.util.HashMap;
import java.util.Map;
import java.util.LinkedHashSet;
import java.util.List;

/** All SQL of the feature-flag domain. Every write also writes its audit row and NOTIFY in one transaction. */
final class FlagStore {

  private static final Logger LOG = LoggerFactory.getLogger(FlagStore.class);

  /** PostgreSQL {@code LISTEN/NOTIFY} channel; the payload is a JSON array of the changed names. */
  static final String NOTIFY_CHANNEL = "flags_changed";

  private static final String COLUMNS = """
      id, name, enabled, description, rollout_percentage, conditions, created_by, updated_by, created_at, updated_at,
      type, variants, rules, dependencies, default_variant""";

  private static final String SELECT_ALL = "SELECT " + COLUMNS + " FROM feature_flags ORDER BY name";

  private static final String INSERT = """
      INSERT INTO feature_flags (id, name, enabled, description, rollout_percentage, conditions, created_by, updated_by,
                                 type, variants, rules, dependencies, default_variant)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9, $10, $11, $12)
      RETURNING\s""" + COLUMNS;

  // Row lock: two concurrent PATCHes of one flag apply one after the other, each on the other's result.
  private static final String SELECT_FOR_UPDATE = "SELECT " + COLUMNS + " FROM feature_flags WHERE id = $1 FOR UPDATE";

  private static final String UPDATE = """
      UPDATE feature_flags
      SET name = $2, enabled = $3, description = $4, rollout_percentage = $5, conditions = $6,
          updated_by = $7, updated_at = now(), type = $8, variants = $9, rules = $10, dependencies = $11,
          default_variant = $12
      WHERE id = $1
      RETURNING\s""" + COLUMNS;

  private static final String DELETE = "DELETE FROM feature_flags WHERE id = $1 RETURNING " + COLUMNS;

  private static final String INSERT_AUDIT = """
      INSERT INTO feature_flag_audit (id, flag_id, flag_name, action, actor, before, after, source, on_behalf_of, created_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, clock_timestamp())
      """;

  private static final String SELECT_AUDIT = """
      SELECT id, flag_id, flag_name, action, actor, before, after, created_at, source, on_behalf_of
      FROM feature_flag_audit WHERE flag_id = $1
      ORDER BY created_at DESC, id DESC
      """;

  // ---- segments ----

  private static final String SEGMENT_COLUMNS = """
      id, name, description, constraints, created_by, updated_by, created_at, updated_at""";

  private static final String SELECT_SEGMENTS = "SELECT " + SEGMENT_COLUMNS + " FROM flag_segments ORDER BY name";

  private static final String INSERT_SEGMENT = """
      INSERT INTO flag_segments (id, name, description, constraints, created_by, updated_by)
      VALUES ($1, $2, $3, $4, $5, $5)
      RETURNING\s""" + SEGMENT_COLUMNS;

  private static final String SELECT_SEGMENT_FOR_UPDATE =
      "SELECT " + SEGMENT_COLUMNS + " FROM flag_segments WHERE id = $1 FOR UPDATE";

  private static final String UPDATE_SEGMENT = """
      UPDATE flag_segments SET name = $2, description = $3, constraints = $4, updated_by = $5, updated_at = now()
      WHERE id = $1
      RETURNING\s""" + SEGMENT_COLUMNS;

  private static final String DELETE_SEGMENT = "DELETE FROM flag_segments WHERE id = $1 RETURNING " + SEGMENT_COLUMNS;

  // The flags whose rules name a segment (rules are [{..., "segments": [name, ...]}]).
  private static final String FLAGS_USING_SEGMENT = """
      SELECT name FROM feature_flags
      WHERE rules IS NOT NULL AND jsonb_path_exists(rules, '$[*].segments[*] ? (@ == $s)', jsonb_build_object('s', $1::text))
      ORDER BY name
      """;

  private static final String INSERT_SEGMENT_AUDIT = """
      INSERT INTO flag_segment_audit (id, segment_id, segment_name, action, actor, source, before, after, created_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, clock_timestamp())
      """;

  private static final String SELECT_SEGMENT_AUDIT = """
      SELECT id, segment_id, segment_name, action, actor, source, before, after, created_at
      FROM flag_segment_audit WHERE segment_id = $1
      ORDER BY created_at DESC, id DESC
      """;

  private static final String SEGMENT_EXISTS = "SELECT 1 FROM flag_segments WHERE id = $1";

  // Audit rows are stamped with clock_timestamp(), not now() (the transaction's start): writes wait for the model
  // lock below, so the time after it is the order in which they happened.
  // Writes of the flag model (flags, their dependencies, segments) take this lock for their transaction, so
  // the checks that span rows (dependency cycles, parents and segments that must exist, segments in use)
  // cannot race another write. Admin writes are rare; evaluations never touch the database.
  private static final String MODEL_LOCK = "SELECT pg_advisory_xact_lock(7140014)";

  // The snapshot reads flags and segments as of one moment.
  private static final String SNAPSHOT_ISOLATION = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY";

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
  // Changes of one flag apply in (run_at, id) order, whichever node looks: one with an earlier change of the
  // same flag still pending waits for it (the model lock, taken first, serialises the appliers, so this holds).
  private static final String TAKE_DUE_CHANGE = """
      UPDATE flag_scheduled_changes c SET status = 'applied', applied_at = now(), applied_by = $2
      WHERE c.id = $1 AND c.status = 'pending' AND c.run_at <= now()
        AND NOT EXISTS (SELECT 1 FROM flag_scheduled_changes e
                        WHERE e.flag_id = c.flag_id AND e.status = 'pending' AND (e.run_at, e.id) < (c.run_at, c.id))
      RETURNING\s""" + CHANGE_COLUMNS;

  private static final String FAIL_CHANGE = """
      UPDATE flag_scheduled_changes SET status = 'failed', applied_at = now(), applied_by = $2, error = $3
      WHERE id = $1 AND status = 'pending'
      RETURNING\s""" + CHANGE_COLUMNS;

  private static final String FLAG_EXISTS = "SELECT 1 FROM feature_flags WHERE id = $1";

  private static final String SELECT_BY_NAME_FOR_UPDATE =
      "SELECT " + COLUMNS + " FROM feature_flags WHERE name = $1 FOR UPDATE";

  // Every flag with its parents' names (one row per dependency; a flag without any has one row, parent null).
  private static final String DEPENDENCY_GRAPH = """
      SELECT f.name, d.elem ->> 'flag' AS parent
      FROM feature_flags f
      LEFT JOIN LATERAL jsonb_array_elements(
        CASE WHEN jsonb_typeof(f.dependencies) = 'array' THEN f.dependencies ELSE '[]'::jsonb END) AS d(elem) ON true
      """;

  private static final String SELECT_SEGMENT_BY_NAME_FOR_UPDATE =
      "SELECT " + SEGMENT_COLUMNS + " FROM flag_segments WHERE name = $1 FOR UPDATE";

  private static final String MISSING_SEGMENTS = """
      SELECT s FROM unnest($1::text[]) AS s WHERE NOT EXISTS (SELECT 1 FROM flag_segments WHERE name = s)
      """;

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

  /** Every flag and every segment as of one moment, for a snapshot. */
  Future<FlagSnapshot> loadSnapshot(Instant loadedAt) {
    return pool.withTransaction(conn -> conn.query(SNAPSHOT_ISOLATION).execute()
        .compose(x -> conn.query(SELECT_ALL).execute())
        .compose(flagRows -> conn.query(SELECT_SEGMENTS).execute().map(segmentRows -> {
          List<Flag> flags = new ArrayList<>(flagRows.size());
          flagRows.forEach(r -> flags.add(toFlag(r)));
          List<Segment> segments = new ArrayList<>(segmentRows.size());
          segmentRows.forEach(r -> segments.add(toSegment(r)));
          return FlagSnapshot.of(flags, segments, loadedAt);
        })));
  }

  // ---- segments ----

  Future<List<Segment>> segments() {
    return pool.query(SELECT_SEGMENTS).execute().map(rows -> {
      List<Segment> out = new ArrayList<>(rows.size());
      rows.forEach(r -> out.add(toSegment(r)));
      return out;
    });
  }

  /** A segment write: the segment as it is now (as it was, for a delete) and the flags that use it. */
  record SegmentChange(Segment segment, List<String> flags) {
  }

  Future<SegmentChange> createSegment(SegmentJson.NewSegment s, String actor) {
    return pool.withTransaction(conn -> lock(conn)
            .compose(x -> conn.preparedQuery(INSERT_SEGMENT).execute(Tuple.tuple().addString(Ids.next())
                .addString(s.name()).addString(s.description()).addValue(SegmentJson.constraintsJson(s.constraints()))
                .addString(actor)))
            .map(rows -> toSegment(rows.iterator().next()))
            .compose(after -> segmentAudit(conn, "CREATE", actor, "api", null, after)
                .compose(x -> notify(conn, List.of()))
                .map(x -> new SegmentChange(after, List.of()))))
        .recover(t -> Future.failedFuture(segmentNameTaken(t, s.name())));
  }

  /**
   * Changes a segment; every flag using it changes with it (the NOTIFY names them). A segment in use keeps its
   * name: rules refer to segments by name, so a rename would silently cut them off ({@code CONFLICT}).
   */
  Future<SegmentChange> updateSegment(String id, SegmentJson.SegmentPatch patch, String actor) {
    return pool.withTransaction(conn -> lock(conn)
            .compose(x -> conn.preparedQuery(SELECT_SEGMENT_FOR_UPDATE).execute(Tuple.of(id)))
            .compose(rows -> {
              if (rows.size() == 0) return Future.failedFuture(ApiException.notFound("no segment with id " + id));
              Segment before = toSegment(rows.iterator().next());
              Segment merged = patch.applyTo(before);
              return flagsUsing(conn, before.name()).compose(users -> {
                if (!merged.name().equals(before.name()) && !users.isEmpty()) {
                  return Future.failedFuture(new ApiException(ErrorCode.CONFLICT, "name: segment '" + before.name()
                      + "' is used by the rules of " + String.join(", ", users) + "; change their rules before renaming it"));
                }
                return conn.preparedQuery(UPDATE_SEGMENT).execute(Tuple.tuple().addString(id).addString(merged.name())
                        .addString(merged.description()).addValue(SegmentJson.constraintsJson(merged.constraints()))
                        .addString(actor))
                    .map(updated -> toSegment(updated.iterator().next()))
                    .compose(after -> segmentAudit(conn, "UPDATE", actor, "api", before, after)
                        .compose(x -> notify(conn, users))
                        .map(x -> new SegmentChange(after, users)));
              });
            }))
        .recover(t -> Future.failedFuture(segmentNameTaken(t, patch.name())));
  }

  /** Deletes a segment that no rule uses ({@code CONFLICT} naming the flags that do). */
  Future<SegmentChange> deleteSegment(String id, String actor) {
    return pool.withTransaction(conn -> lock(conn)
        .compose(x -> conn.preparedQuery(SELECT_SEGMENT_FOR_UPDATE).execute(Tuple.of(id)))
        .compose(rows -> {
          if (rows.size() == 0) return Future.failedFuture(ApiException.notFound("no segment with id " + id));
          Segment before = toSegment(rows.iterator().next());
          return flagsUsing(conn, before.name()).compose(users -> {
            if (!users.isEmpty()) {
              return Future.failedFuture(new ApiException(ErrorCode.CONFLICT, "segment '" + before.name()
                  + "' is used by the rules of " + String.join(", ", users) + "; remove it from their rules first"));
            }
            return conn.preparedQuery(DELETE_SEGMENT).execute(Tuple.of(id))
                .compose(x -> segmentAudit(conn, "DELETE", actor, "api", before, null))
                .compose(x -> notify(conn, List.of()))
                .map(x -> new SegmentChange(before, List.of()));
          });
        }));
  }

  /** Newest first; {@code NOT_FOUND} when the id never had a row. */
  Future<List<JsonObject>> segmentAudit(String id) {
    return pool.preparedQuery(SELECT_SEGMENT_AUDIT).execute(Tuple.of(id)).compose(rows -> {
      List<JsonObject> out = new ArrayList<>(rows.size());
      rows.forEach(r -> out.add(new JsonObject()
          .put("id", r.getString("id"))
          .put("segmentId", r.getString("segment_id"))
          .put("segmentName", r.getString("segment_name"))
          .put("action", r.getString("action"))
          .put("actor", r.getString("actor"))
          .put("source", r.getString("source"))
          .put("before", jsonObject(r.getValue("before")))
          .put("after", jsonObject(r.getValue("after")))
          .put("createdAt", instant(r.getOffsetDateTime("created_at")).toString())));
      if (!out.isEmpty()) return Future.succeededFuture(out);
      return pool.preparedQuery(SEGMENT_EXISTS).execute(Tuple.of(id)).compose(found -> found.size() > 0
          ? Future.succeededFuture(out)
          : Future.failedFuture(ApiException.notFound("no segment with id " + id)));
    });
  }

  private static Future<List<String>> flagsUsing(SqlConnection conn, String segmentName) {
    return conn.preparedQuery(FLAGS_USING_SEGMENT).execute(Tuple.of(segmentName)).map(rows -> {
      List<String> names = new ArrayList<>(rows.size());
      rows.forEach(r -> names.add(r.getString("name")));
      return names;
    });
  }

  private static Future<RowSet<Row>> segmentAudit(SqlConnection conn, String action, String actor, String source,
                                                  Segment before, Segment after) {
    Segment s = after != null ? after : before;
    return conn.preparedQuery(INSERT_SEGMENT_AUDIT).execute(Tuple.tuple().addString(Ids.next())
        .addString(s.id()).addString(s.name()).addString(action).addString(actor).addString(source)
        .addValue(before == null ? null : SegmentJson.toJson(before))
        .addValue(after == null ? null : SegmentJson.toJson(after)));
  }

  private static Future<RowSet<Row>> lock(SqlConnection conn) {
    return conn.query(MODEL_LOCK).execute();
  }

  private static Throwable segmentNameTaken(Throwable t, String name) {
    return Failures.isUniqueViolation(t)
        ? new ApiException(ErrorCode.CONFLICT, "name: segment name '" + name + "' is already taken")
        : t;
  }

  private static Segment toSegment(Row r) {
    List<Constraint> constraints;
    Object raw = r.getValue("constraints");
    try {
      constraints = SegmentJson.constraints(raw instanceof JsonArray a ? a : new JsonArray(), "constraints");
    } catch (BadInput e) {
      // Written around the service: fail closed, a constraint that can never hold.
      LOG.warn("segment '{}' has unreadable constraints ({}); it matches nobody", r.getString("name"), e.getMessage());
      constraints = List.of(new Constraint("userId", null, List.of(), null, false, false));
    }
    return new Segment(r.getString("id"), r.getString("name"), r.getString("description"), constraints,
        r.getString("created_by"), r.getString("updated_by"), instant(r.getOffsetDateTime("created_at")),
        instant(r.getOffsetDateTime("updated_at")));
  }

  Future<Change> create(NewFlag f, String actor) {
    return pool.withTransaction(conn -> lock(conn)
            .compose(x -> insert(conn, f, Actor.api(actor)))
            .compose(after -> notify(conn, List.of(after.name())).map(names -> new Change(after, names))))
        .recover(t -> Future.failedFuture(nameTaken(t, f.name())));
  }

  /** Inserts and audits a flag after the model checks (the caller holds the model lock). */
  private Future<Flag> insert(SqlConnection conn, NewFlag f, Actor actor) {
    Flag candidate = new Flag(null, f.name(), f.enabled(), f.description(), f.rolloutPercentage(), f.conditions(),
        null, null, null, null, f.type(), f.variants(), f.rules(), f.dependencies(), f.defaultVariant());
    return checkModel(conn, candidate, null).compose(x -> {
      Tuple args = Tuple.tuple().addString(Ids.next()).addString(f.name()).addBoolean(f.enabled())
          .addString(f.description()).addInteger(f.rolloutPercentage()).addValue(conditionsValue(f.conditions()))
          .addString(actor.name());
      modelValues(args, candidate);
      return conn.preparedQuery(INSERT).execute(args)
          .map(rows -> toFlag(rows.iterator().next()))
          .compose(after -> audit(conn, "CREATE", actor, null, after).map(after));
    });
  }

  /** Applies the fields the patch names; the others keep their value. */
  Future<Change> update(String id, FlagPatch patch, String actor) {
    return pool.withTransaction(conn -> lock(conn).compose(x -> update(conn, id, patch, Actor.api(actor))))
        .recover(t -> Future.failedFuture(nameTaken(t, patch.name())));
  }

  private Future<Change> update(SqlConnection conn, String id, FlagPatch patch, Actor actor) {
    return conn.preparedQuery(SELECT_FOR_UPDATE).execute(Tuple.of(id))
        .compose(rows -> {
          if (rows.size() == 0) return Future.failedFuture(ApiException.notFound("no flag with id " + id));
          Flag before = toFlag(rows.iterator().next());
          Flag merged = patch.applyTo(before, actor.name());
          FlagRules.check(merged);
          return write(conn, before, merged, actor)
              .compose(after -> notify(conn, names(before, after)).map(names -> new Change(after, names)));
        });
  }

  /** Writes a flag's new state over {@code before} after the model checks, and audits it (no NOTIFY). */
  private Future<Flag> write(SqlConnection conn, Flag before, Flag merged, Actor actor) {
    return checkModel(conn, merged, before.name()).compose(x -> {
      Tuple args = Tuple.tuple().addString(before.id()).addString(merged.name()).addBoolean(merged.enabled())
          .addString(merged.description()).addInteger(merged.rolloutPercentage())
          .addValue(conditionsValue(merged.conditions())).addString(actor.name());
      modelValues(args, merged);
      return conn.preparedQuery(UPDATE).execute(args)
          .map(updated -> toFlag(updated.iterator().next()))
          .compose(after -> audit(conn, "UPDATE", actor, before, after).map(after));
    });
  }

  /** $8..$12: type, variants, rules, dependencies, default_variant, in their API JSON form. */
  private static void modelValues(Tuple args, Flag f) {
    args.addString(f.type().json()).addValue(FlagJson.variantsJson(f.variants())).addValue(FlagJson.rulesJson(f.rules()))
        .addValue(FlagJson.dependenciesJson(f.dependencies())).addValue(FlagJson.variantJson(f.defaultVariant()));
  }

  /**
   * The checks that span rows, under the model lock: every parent exists, no cycle, one level of dependencies
   * (as Unleash: a parent has no parents, a parent is nobody's child), a flag others depend on keeps its name,
   * every segment a rule names exists. {@code oldName} is the flag's name before this write (null: a create).
   */
  private Future<Void> checkModel(SqlConnection conn, Flag f, String oldName) {
    return conn.query(DEPENDENCY_GRAPH).execute().compose(rows -> {
      Map<String, List<String>> parents = new HashMap<>();
      for (Row r : rows) {
        List<String> p = parents.computeIfAbsent(r.getString("name"), k -> new ArrayList<>());
        if (r.getString("parent") != null) p.add(r.getString("parent"));
      }
      List<String> children = new ArrayList<>();
      if (oldName != null) {
        parents.forEach((name, ps) -> {
          if (!name.equals(oldName) && ps.contains(oldName)) children.add(name);
        });
        parents.remove(oldName);
      }
      children.sort(null);
      if (oldName != null && !oldName.equals(f.name()) && !children.isEmpty()) {
        return Future.failedFuture(new ApiException(ErrorCode.CONFLICT, "name: " + String.join(", ", children)
            + " depend on '" + oldName + "' by name; remove those dependencies before renaming it"));
      }
      List<String> mine = new ArrayList<>();
      for (int i = 0; i < f.dependencies().size(); i++) {
        String parent = f.dependencies().get(i).flag();
        if (!parent.equals(f.name()) && !parents.containsKey(parent)) {
          return unprocessable("dependencies[" + i + "].flag '" + parent + "' is not a flag");
        }
        mine.add(parent);
      }
      List<String> cycle = DependencyCycles.through(DependencyCycles.with(parents, f.name(), mine), f.name());
      if (!cycle.isEmpty()) {
        return unprocessable("dependencies: this would create a cycle " + String.join(" → ", cycle));
      }
      for (int i = 0; i < mine.size(); i++) {
        if (!parents.getOrDefault(mine.get(i), List.of()).isEmpty()) {
          return unprocessable("dependencies[" + i + "].flag '" + mine.get(i) + "' depends on other flags itself; "
              + "as in Unleash a parent may not have parents of its own (one level)");
        }
      }
      if (!mine.isEmpty() && !children.isEmpty()) {
        return unprocessable("dependencies: " + String.join(", ", children) + " depend on this flag, so it may not "
            + "depend on others itself (one level, as in Unleash)");
      }
      return missingSegments(conn, f);
    });
  }

  private static Future<Void> missingSegments(SqlConnection conn, Flag f) {
    if (f.rules() == null) return Future.succeededFuture();
    List<String> named = new ArrayList<>();
    f.rules().forEach(r -> named.addAll(r.segments()));
    if (named.isEmpty()) return Future.succeededFuture();
    return conn.preparedQuery(MISSING_SEGMENTS).execute(Tuple.tuple().addArrayOfString(named.toArray(String[]::new)))
        .compose(rows -> {
          if (rows.size() == 0) return Future.succeededFuture();
          String missing = rows.iterator().next().getString(0);
          for (int i = 0; i < f.rules().size(); i++) {
            int j = f.rules().get(i).segments().indexOf(missing);
            if (j >= 0) return unprocessable("rules[" + i + "].segments[" + j + "] '" + missing + "' is not a segment");
          }
          return unprocessable("rules: segment '" + missing + "' does not exist");
        });
  }

  private static <T> Future<T> unprocessable(String detail) {
    return Future.failedFuture(new ApiException(ErrorCode.UNPROCESSABLE, detail));
  }

  Future<Change> delete(String id, String actor) {
    return pool.withTransaction(conn -> lock(conn)
        .compose(x -> conn.preparedQuery(DELETE).execute(Tuple.of(id)))
        .compose(rows -> {
          if (rows.size() == 0) return Future.failedFuture(ApiException.notFound("no flag with id " + id));
          Flag before = toFlag(rows.iterator().next());
          return dependents(conn, before.name()).compose(children -> {
            if (!children.isEmpty()) {
              return Future.failedFuture(new ApiException(ErrorCode.CONFLICT, String.join(", ", children)
                  + " depend on '" + before.name() + "'; remove those dependencies before deleting it"));
            }
            return audit(conn, "DELETE", Actor.api(actor), before, null)
                .compose(x -> conn.preparedQuery(CANCEL_FLAG_CHANGES).execute(Tuple.of(id, actor)))
                .compose(x -> notify(conn, List.of(before.name())))
                .map(names -> new Change(before, names));
          });
        }));
  }

  /** The flags (other than itself) whose dependencies name this flag. */
  private static Future<List<String>> dependents(SqlConnection conn, String name) {
    return conn.query(DEPENDENCY_GRAPH).execute().map(rows -> {
      List<String> out = new ArrayList<>();
      for (Row r : rows) {
        if (name.equals(r.getString("parent")) && !name.equals(r.getString("name"))) out.add(r.getString("name"));
      }
      out.sort(null);
      return out;
    });
  }

  // ---- Unleash import ----

  /**
   * Creates or updates the imported segments, then flags, by name, in one transaction (all or nothing), under
   * the model lock. A flag or segment whose imported state equals the stored one is left alone: no write, no
   * audit row, so a re-import changes nothing. Each one that changes gets one audit row ({@code source: import}).
   * Flags without dependencies go first, so parents exist when their children are checked.
   */
  Future<ImportReport> importAll(List<NewFlag> flags, List<Segment> segments, List<String> notes, String actor) {
    Actor importer = Actor.importer(actor);
    List<String> fCreated = new ArrayList<>();
    List<String> fUpdated = new ArrayList<>();
    List<String> fUnchanged = new ArrayList<>();
    List<String> sCreated = new ArrayList<>();
    List<String> sUpdated = new ArrayList<>();
    List<String> sUnchanged = new ArrayList<>();
    List<NewFlag> ordered = new ArrayList<>(flags);
    ordered.sort(java.util.Comparator.comparing((NewFlag f) -> !f.dependencies().isEmpty()));
    return pool.withTransaction(conn -> {
      Future<Void> chain = lock(conn).mapEmpty();
      for (Segment s : segments) {
        chain = chain.compose(x -> importSegment(conn, s, actor).map(outcome -> {
          (outcome == 'c' ? sCreated : outcome == 'u' ? sUpdated : sUnchanged).add(s.name());
          return null;
        }));
      }
      for (NewFlag f : ordered) {
        chain = chain.compose(x -> importFlag(conn, f, importer).map(outcome -> {
          (outcome == 'c' ? fCreated : outcome == 'u' ? fUpdated : fUnchanged).add(f.name());
          return null;
        }));
      }
      return chain.compose(x -> {
        List<String> changed = new ArrayList<>(fCreated);
        changed.addAll(fUpdated);
        // A segment change changes the flags using it; every node reloads on any NOTIFY.
        return fCreated.isEmpty() && fUpdated.isEmpty() && sCreated.isEmpty() && sUpdated.isEmpty()
            ? Future.succeededFuture(null)
            : notify(conn, changed);
      }).map(x -> new ImportReport(fCreated, fUpdated, fUnchanged, sCreated, sUpdated, sUnchanged, notes));
    });
  }

  /** 'c' created, 'u' updated, 'n' unchanged. */
  private static Future<Character> importSegment(SqlConnection conn, Segment s, String actor) {
    return conn.preparedQuery(SELECT_SEGMENT_BY_NAME_FOR_UPDATE).execute(Tuple.of(s.name())).compose(rows -> {
      JsonArray constraints = SegmentJson.constraintsJson(s.constraints());
      if (rows.size() == 0) {
        return conn.preparedQuery(INSERT_SEGMENT).execute(Tuple.tuple().addString(Ids.next()).addString(s.name())
                .addString(s.description()).addValue(constraints).addString(actor))
            .map(r -> toSegment(r.iterator().next()))
            .compose(after -> segmentAudit(conn, "CREATE", actor, "import", null, after))
            .map('c');
      }
      Segment before = toSegment(rows.iterator().next());
      if (SegmentJson.constraintsJson(before.constraints()).equals(constraints)
          && java.util.Objects.equals(before.description(), s.description())) {
        return Future.succeededFuture('n');
      }
      return conn.preparedQuery(UPDATE_SEGMENT).execute(Tuple.tuple().addString(before.id()).addString(s.name())
              .addString(s.description()).addValue(constraints).addString(actor))
          .map(r -> toSegment(r.iterator().next()))
          .compose(after -> segmentAudit(conn, "UPDATE", actor, "import", before, after))
          .map('u');
    });
  }

  private Future<Character> importFlag(SqlConnection conn, NewFlag f, Actor actor) {
    return conn.preparedQuery(SELECT_BY_NAME_FOR_UPDATE).execute(Tuple.of(f.name())).compose(rows -> {
      if (rows.size() == 0) return insert(conn, f, actor).map('c');
      Flag before = toFlag(rows.iterator().next());
      Flag target = new Flag(before.id(), f.name(), f.enabled(), f.description(), f.rolloutPercentage(),
          f.conditions(), before.createdBy(), actor.name(), before.createdAt(), before.updatedAt(), f.type(),
          f.variants(), f.rules(), f.dependencies(), f.defaultVariant());
      if (writable(before).equals(writable(target))) return Future.succeededFuture('n');
      FlagRules.check(target);
      return write(conn, before, target, actor).map('u');
    });
  }

  /** The fields an import sets, in their JSON form: equal JSON means nothing to write. */
  private static JsonObject writable(Flag f) {
    JsonObject j = FlagJson.toJson(f);
    for (String bookkeeping : new String[] {"id", "createdBy", "updatedBy", "createdAt", "updatedAt"}) {
      j.remove(bookkeeping);
    }
    return j;
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
    // The model lock first, as every flag write takes it: taking the change's row first could deadlock with a
    // flag delete (which holds the lock and cancels that flag's pending changes).
    return pool.withTransaction(conn -> lock(conn)
        .compose(x -> conn.preparedQuery(TAKE_DUE_CHANGE).execute(Tuple.of(changeId, nodeId)))
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
    String name = r.getString("name");
    FlagType type = FlagType.parse(r.getString("type"));
    if (type == null) type = FlagType.BOOLEAN;
    List<Variant> variants = List.of();
    List<Rule> rules = null;
    List<Dependency> dependencies = List.of();
    Variant defaultVariant = null;
    try {
      variants = FlagJson.variants(json(r.getValue("variants")), type, "variants");
      rules = FlagJson.rules(json(r.getValue("rules")), type, "rules");
      dependencies = FlagJson.dependencies(json(r.getValue("dependencies")), "dependencies");
      defaultVariant = FlagJson.defaultVariant(json(r.getValue("default_variant")), type, "defaultVariant");
    } catch (BadInput | ClassCastException e) {
      // Written around the service: fail closed. The flag stays a rule flag whose one rule matches nobody.
      LOG.warn("flag '{}' has unreadable rules, variants or dependencies ({}); it matches nobody", name, e.getMessage());
      rules = List.of(new Rule(List.of(new Constraint("userId", null, List.of(), null, false, false)), List.of(),
          null, null, null, List.of()));
    }
    return new Flag(r.getString("id"), name, r.getBoolean("enabled"), r.getString("description"),
        r.getInteger("rollout_percentage"), conditions(name, r.getValue("conditions")),
        r.getString("created_by"), r.getString("updated_by"), instant(r.getOffsetDateTime("created_at")),
        instant(r.getOffsetDateTime("updated_at")), type, variants, rules, dependencies, defaultVariant);
  }

  /** A jsonb column's value, with JSON null read as absent. */
  private static Object json(Object value) {
    return value == Tuple.JSON_NULL ? null : value;
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
