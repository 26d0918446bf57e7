package dev.systemtables.notifications;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * All SQL of the notification domain. Only this class touches {@code notifications}.
 *
 * <p>It also <em>reads</em> {@code users} (owned by the users directory): a role broadcast or a
 * list of recipients must be resolved in the same statement that inserts, so that it is one
 * set-based {@code INSERT ... SELECT} in one transaction whatever the count. That read is the
 * one accepted exception to "each domain owns its tables"; nothing here writes {@code users}.
 */
final class NotificationStore {

  private static final String COLUMNS =
      "id, user_id, type, title, message, action_url, priority, read, read_at, metadata, created_at";

  // Filters are optional: a null parameter disables its condition.
  private static final String FILTERS = """
        AND ($2::boolean IS NULL OR read = $2)
        AND ($3::text IS NULL OR type = $3)
        AND ($4::text IS NULL OR priority = $4)
      """;

  /** One page of a user's inbox, newest first (index {@code notifications_user_created_idx}). */
  static final String LIST = "SELECT " + COLUMNS + " FROM notifications WHERE user_id = $1\n" + FILTERS + """
      ORDER BY created_at DESC, id DESC
      LIMIT $5 OFFSET $6
      """;

  static final String COUNT = "SELECT count(*) FROM notifications WHERE user_id = $1\n" + FILTERS;

  /** Where a catch-up starts: the caller's own notification, or nothing. */
  static final String ANCHOR = "SELECT created_at FROM notifications WHERE id = $1 AND user_id = $2";

  /** The caller's notifications newer than the anchor ($5 created_at, $6 id), newest first. */
  static final String LIST_AFTER = "SELECT " + COLUMNS + " FROM notifications WHERE user_id = $1\n" + FILTERS + """
        AND (created_at, id) > ($5, $6)
      ORDER BY created_at DESC, id DESC
      LIMIT $7
      """;

  static final String COUNT_AFTER = "SELECT count(*) FROM notifications WHERE user_id = $1\n" + FILTERS + """
        AND (created_at, id) > ($5, $6)
      """;

  /** Unread count of one user (partial index {@code notifications_user_unread_idx}). */
  static final String UNREAD_COUNT = "SELECT count(*) FROM notifications WHERE user_id = $1 AND NOT read";

  /** Unread counts of many users in one statement, one index probe each. */
  static final String UNREAD_COUNTS = """
      SELECT t.user_id,
             (SELECT count(*) FROM notifications n WHERE n.user_id = t.user_id AND NOT n.read) AS unread
      FROM unnest($1::text[]) AS t(user_id)
      """;

  // Only an unread row changes, so concurrent marks of one item change it (and count it) once.
  private static final String MARK_READ = """
      UPDATE notifications SET read = true, read_at = now()
      WHERE id = $1 AND user_id = $2 AND NOT read
      RETURNING id, read_at
      """;

  private static final String READ_STATE = "SELECT id, read, read_at FROM notifications WHERE id = $1 AND user_id = $2";

  private static final String READ_ALL = """
      UPDATE notifications SET read = true, read_at = now()
      WHERE user_id = $1 AND NOT read
      """;

  private static final String DELETE = "DELETE FROM notifications WHERE id = $1 AND user_id = $2 RETURNING read";

  /** Requested recipients missing from the users directory. */
  private static final String UNKNOWN_USERS = """
      SELECT t.id FROM unnest($1::text[]) AS t(id)
      WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = t.id)
      ORDER BY t.id
      """;

  private static final String INSERT_INTO = """
      INSERT INTO notifications (id, user_id, type, title, message, action_url, priority, metadata)
      SELECT notification_id(), u.id, $2, $3, $4, $5, $6, $7::jsonb
      """;

  /** One row per listed user that exists; {@code $1} is a text array of distinct ids. */
  static final String INSERT_FOR_USERS = INSERT_INTO + """
      FROM unnest($1::text[]) AS t(id) JOIN users u ON u.id = t.id
      RETURNING id, user_id, created_at
      """;

  /** One row per holder of the role {@code $1}. */
  static final String INSERT_FOR_ROLE = INSERT_INTO + """
      FROM users u WHERE u.role = $1
      RETURNING id, user_id, created_at
      """;

  /** At most {@code $2} read rows read before {@code $1} (index {@code notifications_read_at_idx}). */
  private static final String PURGE_READ = """
      DELETE FROM notifications WHERE id IN (
        SELECT id FROM notifications
        WHERE read AND read_at < $1
        LIMIT $2
        FOR UPDATE SKIP LOCKED)
      """;

  private final Pool pool;

  NotificationStore(Pool pool) {
    this.pool = pool;
  }

  /** Filter values of a list query; nulls match everything. */
  record Filter(String userId, Boolean read, String type, String priority) {
    Tuple tuple() {
      return Tuple.of(userId, read, type, priority);
    }
  }

  /** A page and its total. */
  record Page(List<JsonObject> items, long total) {
  }

  Future<Page> list(Filter f, int limit, int offset) {
    Future<List<JsonObject>> items = pool.preparedQuery(LIST)
        .execute(f.tuple().addInteger(limit).addInteger(offset)).map(NotificationStore::toList);
    Future<Long> total = pool.preparedQuery(COUNT).execute(f.tuple()).map(NotificationStore::single);
    return Future.all(items, total).map(x -> new Page(items.result(), total.result()));
  }

  /** Notifications newer than {@code afterId}, or null when the caller has no such notification. */
  Future<Page> listAfter(Filter f, String afterId, int limit) {
    return pool.preparedQuery(ANCHOR).execute(Tuple.of(afterId, f.userId())).compose(rows -> {
      if (rows.rowCount() == 0) return Future.succeededFuture(null);
      OffsetDateTime at = rows.iterator().next().getOffsetDateTime(0);
      Tuple anchor = f.tuple().addOffsetDateTime(at).addString(afterId);
      Future<List<JsonObject>> items = pool.preparedQuery(LIST_AFTER)
          .execute(f.tuple().addOffsetDateTime(at).addString(afterId).addInteger(limit))
          .map(NotificationStore::toList);
      Future<Long> total = pool.preparedQuery(COUNT_AFTER).execute(anchor).map(NotificationStore::single);
      return Future.all(items, total).map(x -> new Page(items.result(), total.result()));
    });
  }

  Future<Long> unreadCount(String userId) {
    return pool.preparedQuery(UNREAD_COUNT).execute(Tuple.of(userId)).map(NotificationStore::single);
  }

  Future<Map<String, Long>> unreadCounts(List<String> userIds) {
    return pool.preparedQuery(UNREAD_COUNTS).execute(Tuple.tuple().addArrayOfString(userIds.toArray(String[]::new)))
        .map(rows -> {
          Map<String, Long> out = new HashMap<>(rows.rowCount() * 2);
          for (Row r : rows) out.put(r.getString(0), r.getLong(1));
          return out;
        });
  }

  /** Outcome of a mark: the read time, and whether this call is the one that changed the row. */
  record Marked(String id, Instant readAt, boolean changed) {
  }

  /** Marks one of the user's notifications read; null when the user has no such notification. */
  Future<Marked> markRead(String id, String userId) {
    return pool.preparedQuery(MARK_READ).execute(Tuple.of(id, userId)).compose(rows -> {
      if (rows.rowCount() == 1) {
        Row r = rows.iterator().next();
        return Future.succeededFuture(new Marked(r.getString("id"), instant(r, "read_at"), true));
      }
      return pool.preparedQuery(READ_STATE).execute(Tuple.of(id, userId)).map(state -> {
        if (state.rowCount() == 0) return null;
        Row r = state.iterator().next();
        return new Marked(r.getString("id"), instant(r, "read_at"), false);
      });
    });
  }

  /** Marks every unread notification of the user read; the number changed. */
  Future<Integer> readAll(String userId) {
    return pool.preparedQuery(READ_ALL).execute(Tuple.of(userId)).map(RowSet::rowCount);
  }

  /** Deletes one of the user's notifications: null when absent, else whether it was still unread. */
  Future<Boolean> delete(String id, String userId) {
    return pool.preparedQuery(DELETE).execute(Tuple.of(id, userId))
        .map(rows -> rows.rowCount() == 0 ? null : !rows.iterator().next().getBoolean(0));
  }

  /** What a create inserted: one row per recipient. */
  record Inserted(List<String> ids, List<String> userIds, Instant createdAt) {
  }

  /** Thrown (as a failed future) inside the create transaction to roll it back. */
  static final class UnknownUsers extends RuntimeException {
    final List<String> ids;

    UnknownUsers(List<String> ids) {
      super("unknown users", null, false, false);
      this.ids = ids;
    }
  }

  /**
   * Inserts one notification for each listed user in one transaction: the unknown ones are
   * looked up first, and any makes the whole call fail with {@link UnknownUsers}.
   */
  Future<Inserted> insertForUsers(List<String> userIds, JsonObject n) {
    String[] ids = userIds.toArray(String[]::new);
    return pool.withTransaction(conn -> conn.preparedQuery(UNKNOWN_USERS).execute(Tuple.tuple().addArrayOfString(ids))
        .compose(unknown -> {
          if (unknown.rowCount() > 0) {
            List<String> missing = new ArrayList<>(unknown.rowCount());
            for (Row r : unknown) missing.add(r.getString(0));
            return Future.failedFuture(new UnknownUsers(missing));
          }
          return insert(conn, INSERT_FOR_USERS, Tuple.tuple().addArrayOfString(ids), n);
        }));
  }

  /** Inserts one notification for every user holding the role, in one statement. */
  Future<Inserted> insertForRole(String role, JsonObject n) {
    return pool.withTransaction(conn -> insert(conn, INSERT_FOR_ROLE, Tuple.of(role), n));
  }

  private static Future<Inserted> insert(SqlClient conn, String sql, Tuple first, JsonObject n) {
    Tuple args = first.addString(n.getString("type")).addString(n.getString("title"))
        .addString(n.getString("message")).addString(n.getString("actionUrl"))
        .addString(n.getString("priority")).addValue(n.getJsonObject("metadata"));
    return conn.preparedQuery(sql).execute(args).map(rows -> {
      List<String> ids = new ArrayList<>(rows.rowCount());
      List<String> users = new ArrayList<>(rows.rowCount());
      Instant createdAt = null;
      for (Row r : rows) {
        ids.add(r.getString("id"));
        users.add(r.getString("user_id"));
        createdAt = instant(r, "created_at");
      }
      return new Inserted(ids, users, createdAt);
    });
  }

  /** Deletes one batch of old read notifications; the number deleted. */
  Future<Integer> purgeReadBatch(Instant readBefore, int batchSize) {
    return pool.preparedQuery(PURGE_READ)
        .execute(Tuple.of(readBefore.atOffset(ZoneOffset.UTC), batchSize))
        .map(RowSet::rowCount);
  }

  private static long single(RowSet<Row> rows) {
    return rows.iterator().next().getLong(0);
  }

  private static List<JsonObject> toList(RowSet<Row> rows) {
    List<JsonObject> out = new ArrayList<>(rows.rowCount());
    for (Row r : rows) out.add(toJson(r));
    return out;
  }

  static JsonObject toJson(Row r) {
    Object metadata = r.getValue("metadata");
    Instant readAt = instant(r, "read_at");
    return new JsonObject()
        .put("id", r.getString("id"))
        .put("userId", r.getString("user_id"))
        .put("type", r.getString("type"))
        .put("title", r.getString("title"))
        .put("message", r.getString("message"))
        .put("actionUrl", r.getString("action_url"))
        .put("priority", r.getString("priority"))
        .put("read", r.getBoolean("read"))
        .put("readAt", readAt == null ? null : readAt.toString())
        .put("metadata", metadata instanceof JsonObject o ? o : null)
        .put("createdAt", instant(r, "created_at").toString());
  }

  private static Instant instant(Row r, String column) {
    OffsetDateTime t = r.getOffsetDateTime(column);
    return t == null ? null : t.toInstant();
  }
}
