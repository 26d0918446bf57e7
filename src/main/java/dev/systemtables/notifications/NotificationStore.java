package dev.systemtables.notifications;

import dev.systemtables.auth.Role;
import dev.systemtables.common.Ids;
import dev.systemtables.common.Page;
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
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * All SQL of the notification domain. Only this class touches {@code notifications}.
 *
 * <p>It also <em>reads</em> {@code users} (owned by the users directory): a broadcast's recipients must
 * be resolved in the statement that inserts, so that it is one set-based {@code INSERT ... SELECT}
 * whatever the count. That read is the one accepted exception to "each domain owns its tables";
 * nothing here writes {@code users}.
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

  /** One page, newest first (index {@code notifications_user_created_idx}); the total comes from the counters. */
  static final String PAGE = "SELECT " + COLUMNS + " FROM notifications WHERE user_id = $1\n" + FILTERS + """
      ORDER BY created_at DESC, id DESC
      LIMIT $5 OFFSET $6
      """;

  /**
   * One page and the total in one statement, for filters the counters do not cover (or no Redis). The
   * total row always comes back, so a page past the end still reports the total.
   */
  static final String PAGE_COUNTED = "SELECT c.total, p.* FROM (SELECT count(*) AS total FROM notifications "
      + "WHERE user_id = $1\n" + FILTERS + ") c\nLEFT JOIN LATERAL (SELECT " + COLUMNS
      + " FROM notifications WHERE user_id = $1\n" + FILTERS + """
        ORDER BY created_at DESC, id DESC
        LIMIT $5 OFFSET $6) p ON true
      """;

  // The catch-up anchor: the caller's own notification, or nothing (then every comparison is null).
  private static final String ANCHOR = "(SELECT created_at, id FROM notifications WHERE id = $5 AND user_id = $1)";

  /** The caller's notifications newer than the anchor, newest first, with their number and whether the anchor exists. */
  static final String AFTER = "SELECT a.found, c.total, p.* FROM (SELECT count(*) AS found FROM notifications "
      + "WHERE id = $5 AND user_id = $1) a\nCROSS JOIN (SELECT count(*) AS total FROM notifications WHERE user_id = $1\n"
      + FILTERS + "  AND (created_at, id) > " + ANCHOR + ") c\nLEFT JOIN LATERAL (SELECT " + COLUMNS
      + " FROM notifications WHERE user_id = $1\n" + FILTERS + "  AND (created_at, id) > " + ANCHOR + """

        ORDER BY created_at DESC, id DESC
        LIMIT $6) p ON true
      """;

  /** Unread and total of one user: two index-only counts (partial unread index, inbox index). */
  static final String COUNTS = """
      SELECT (SELECT count(*) FROM notifications WHERE user_id = $1 AND NOT read) AS unread,
             (SELECT count(*) FROM notifications WHERE user_id = $1) AS total
      """;

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

  private static final String READ_STATE = "SELECT id, read_at FROM notifications WHERE id = $1 AND user_id = $2";

  private static final String READ_ALL = """
      UPDATE notifications SET read = true, read_at = now()
      WHERE user_id = $1 AND NOT read
      """;

  private static final String DELETE = "DELETE FROM notifications WHERE id = $1 AND user_id = $2 RETURNING read";

  private static final String ROLE_HOLDERS = "SELECT id FROM users WHERE role = $1";

  /** Requested recipients missing from the users directory. */
  private static final String UNKNOWN_USERS = """
      SELECT t.id FROM unnest($1::text[]) AS t(id)
      WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = t.id)
      ORDER BY t.id
      """;

  /** One row per listed user that exists; {@code $1} is a text array of distinct ids. */
  static final String INSERT_FOR_USERS = """
      INSERT INTO notifications (id, user_id, type, title, message, action_url, priority, metadata)
      SELECT notification_id(), u.id, $2, $3, $4, $5, $6, $7::jsonb
      FROM unnest($1::text[]) AS t(id) JOIN users u ON u.id = t.id
      RETURNING id, user_id, created_at
      """;

  /** One send-log row per create, in the create's transaction. */
  private static final String INSERT_SEND = """
      INSERT INTO notification_sends (id, actor, recipient_kind, recipient_role, recipient_ids, requested, created,
                                      type, title, message, action_url, priority, metadata)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb)
      """;

  private static final String SEND_COLUMNS = "id, actor, recipient_kind, recipient_role, recipient_ids, requested, "
      + "created, type, title, message, action_url, priority, metadata, created_at";

  /** A page of the send log, newest first (index {@code notification_sends_created_idx}), with the log's size. */
  static final String SENDS = "SELECT c.total, p.* FROM (SELECT count(*) AS total FROM notification_sends) c\n"
      + "LEFT JOIN LATERAL (SELECT " + SEND_COLUMNS + """
       FROM notification_sends
        ORDER BY created_at DESC, id DESC
        LIMIT $1 OFFSET $2) p ON true
      """;

  /** How many users hold a role (index {@code users_role_idx}). */
  private static final String ROLE_HOLDER_COUNT = "SELECT count(*) FROM users WHERE role = $1";

  /** Of distinct listed ids: how many the directory knows, and the unknown ones. */
  private static final String LISTED_COUNT = """
      SELECT t.id, EXISTS (SELECT 1 FROM users u WHERE u.id = t.id) AS known
      FROM unnest($1::text[]) AS t(id)
      ORDER BY t.id
      """;

  /** At most {@code $2} read rows read before {@code $1} (index {@code notifications_read_at_idx}), per user. */
  private static final String PURGE_READ = """
      WITH gone AS (
        DELETE FROM notifications WHERE id IN (
          SELECT id FROM notifications
          WHERE read AND read_at < $1
          LIMIT $2
          FOR UPDATE SKIP LOCKED)
        RETURNING user_id)
      SELECT user_id, count(*) FROM gone GROUP BY user_id
      """;

  private final Pool pool;

  NotificationStore(Pool pool) {
    this.pool = pool;
  }

  /** Unread and total notifications of a user. */
  record Counts(long unread, long total) {
  }

  private static Tuple filters(String userId, NotificationQuery q) {
    return Tuple.of(userId, q.read(), q.type() == null ? null : q.type().name(),
        q.priority() == null ? null : q.priority().name());
  }

  /** One page without its total. */
  Future<List<Notification>> page(String userId, NotificationQuery q) {
    return pool.preparedQuery(PAGE).execute(filters(userId, q).addInteger(q.pageSize()).addInteger(q.offset()))
        .map(rows -> {
          List<Notification> out = new ArrayList<>(rows.rowCount());
          for (Row r : rows) out.add(toNotification(r));
          return out;
        });
  }

  /** One page and its total, in one statement. */
  Future<Page<Notification>> countedPage(String userId, NotificationQuery q) {
    return pool.preparedQuery(PAGE_COUNTED)
        .execute(filters(userId, q).addInteger(q.pageSize()).addInteger(q.offset()))
        .map(NotificationStore::pageOf);
  }

  /** Notifications newer than {@code q.after()}, or null when the user has no such notification. */
  Future<Page<Notification>> after(String userId, NotificationQuery q) {
    return pool.preparedQuery(AFTER).execute(filters(userId, q).addString(q.after()).addInteger(q.pageSize()))
        .map(rows -> rows.iterator().next().getLong("found") == 0 ? null : pageOf(rows));
  }

  private static Page<Notification> pageOf(RowSet<Row> rows) {
    List<Notification> items = new ArrayList<>(rows.rowCount());
    long total = 0;
    for (Row r : rows) {
      total = r.getLong("total");
      if (r.getString("id") != null) items.add(toNotification(r));
    }
    return new Page<>(items, total);
  }

  Future<Counts> counts(String userId) {
    return pool.preparedQuery(COUNTS).execute(Tuple.of(userId)).map(rows -> {
      Row r = rows.iterator().next();
      return new Counts(r.getLong("unread"), r.getLong("total"));
    });
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

  /** The ids of every holder of a role (the recipients of a role broadcast). */
  Future<List<String>> roleHolders(String role) {
    return pool.preparedQuery(ROLE_HOLDERS).execute(Tuple.of(role)).map(rows -> {
      List<String> ids = new ArrayList<>(rows.rowCount());
      for (Row r : rows) ids.add(r.getString(0));
      return ids;
    });
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
   * Inserts one notification for each listed user, and its send-log row, in one transaction. With
   * {@code strict} (users were listed), listed users missing from the directory make the whole call fail with
   * {@link UnknownUsers}; without (a role broadcast whose holders were just read), a user removed meanwhile
   * is simply skipped.
   */
  Future<List<Notification>> insert(String actor, List<String> userIds, boolean strict, NewNotification n) {
    String[] ids = userIds.toArray(String[]::new);
    Tuple args = Tuple.tuple().addArrayOfString(ids).addString(n.type().name()).addString(n.title())
        .addString(n.message()).addString(n.actionUrl()).addString(n.priority().name()).addValue(n.metadata());
    return pool.withTransaction(conn -> {
      Future<Void> known = !strict ? Future.succeededFuture()
          : conn.preparedQuery(UNKNOWN_USERS).execute(Tuple.tuple().addArrayOfString(ids)).compose(unknown -> {
            if (unknown.rowCount() == 0) return Future.succeededFuture();
            List<String> missing = new ArrayList<>(unknown.rowCount());
            for (Row r : unknown) missing.add(r.getString(0));
            return Future.failedFuture(new UnknownUsers(missing));
          });
      return known.compose(x -> insert(conn, args, n))
          .compose(created -> created.isEmpty() ? Future.succeededFuture(created)
              : logSend(conn, actor, ids, n, created.size()).map(created));
    });
  }

  private static Future<Void> logSend(SqlClient conn, String actor, String[] ids, NewNotification n, int created) {
    boolean role = n.recipients() instanceof NewNotification.RoleHolders;
    String[] kept = role ? null : Arrays.copyOf(ids, Math.min(ids.length, Send.LISTED_IDS_KEPT));
    Tuple args = Tuple.tuple().addString(Ids.next()).addString(actor)
        .addString(role ? "ROLE" : "USERS")
        .addString(role ? ((NewNotification.RoleHolders) n.recipients()).role().name() : null)
        .addArrayOfString(kept).addInteger(ids.length).addInteger(created)
        .addString(n.type().name()).addString(n.title()).addString(n.message()).addString(n.actionUrl())
        .addString(n.priority().name()).addValue(n.metadata());
    return conn.preparedQuery(INSERT_SEND).execute(args).mapEmpty();
  }

  /** One page of the send log and its size. */
  Future<Page<Send>> sends(SendQuery q) {
    return pool.preparedQuery(SENDS).execute(Tuple.of(q.pageSize(), q.offset())).map(rows -> {
      List<Send> items = new ArrayList<>(rows.rowCount());
      long total = 0;
      for (Row r : rows) {
        total = r.getLong("total");
        if (r.getString("id") != null) items.add(toSend(r));
      }
      return new Page<>(items, total);
    });
  }

  /** How many holders a role has. */
  Future<Long> roleHolderCount(String role) {
    return pool.preparedQuery(ROLE_HOLDER_COUNT).execute(Tuple.of(role)).map(rows -> rows.iterator().next().getLong(0));
  }

  /** Of these distinct ids, how many the directory knows, and the unknown ones (sorted). */
  Future<RecipientCount> listedCount(List<String> ids) {
    return pool.preparedQuery(LISTED_COUNT).execute(Tuple.tuple().addArrayOfString(ids.toArray(String[]::new)))
        .map(rows -> {
          long known = 0;
          List<String> unknown = new ArrayList<>();
          for (Row r : rows) {
            if (r.getBoolean("known")) known++;
            else unknown.add(r.getString("id"));
          }
          return new RecipientCount(known, unknown);
        });
  }

  private static Send toSend(Row r) {
    String role = r.getString("recipient_role");
    String[] listed = r.getArrayOfStrings("recipient_ids");
    Object metadata = r.getValue("metadata");
    return new Send(r.getString("id"), r.getString("actor"),
        role == null ? null : Role.valueOf(role),
        listed == null ? List.of() : List.of(listed), r.getInteger("requested"), r.getInteger("created"),
        Notification.Type.valueOf(r.getString("type")), r.getString("title"), r.getString("message"),
        r.getString("action_url"), Notification.Priority.valueOf(r.getString("priority")),
        metadata instanceof JsonObject o ? o : null, instant(r, "created_at"));
  }

  private static Future<List<Notification>> insert(SqlClient client, Tuple args, NewNotification n) {
    return client.preparedQuery(INSERT_FOR_USERS).execute(args).map(rows -> {
      List<Notification> created = new ArrayList<>(rows.rowCount());
      for (Row r : rows) created.add(created(r, n));
      return created;
    });
  }

  /** Deletes one batch of old read notifications; the number deleted per user. */
  Future<Map<String, Integer>> purgeReadBatch(Instant readBefore, int batchSize) {
    return pool.preparedQuery(PURGE_READ)
        .execute(Tuple.of(readBefore.atOffset(ZoneOffset.UTC), batchSize))
        .map(rows -> {
          Map<String, Integer> perUser = new HashMap<>();
          for (Row r : rows) perUser.put(r.getString(0), r.getLong(1).intValue());
          return perUser;
        });
  }

  /**
   * A notification just inserted: what the insert returned (the columns the database chose) and what
   * the request gave, without reading the row back.
   */
  static Notification created(Row r, NewNotification n) {
    return new Notification(r.getString("id"), r.getString("user_id"), n.type(), n.title(), n.message(),
        n.actionUrl(), n.priority(), false, null, n.metadata(), instant(r, "created_at"));
  }

  /** The record of a row; its columns are the entity's fields. */
  static Notification toNotification(Row r) {
    Object metadata = r.getValue("metadata");
    return new Notification(
        r.getString("id"),
        r.getString("user_id"),
        Notification.Type.valueOf(r.getString("type")),
        r.getString("title"),
        r.getString("message"),
        r.getString("action_url"),
        Notification.Priority.valueOf(r.getString("priority")),
        r.getBoolean("read"),
        instant(r, "read_at"),
        metadata instanceof JsonObject o ? o : null,
        instant(r, "created_at"));
  }

  private static Instant instant(Row r, String column) {
    OffsetDateTime t = r.getOffsetDateTime(column);
    return t == null ? null : t.toInstant();
  }
}
