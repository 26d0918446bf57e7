package dev.systemtables.notifications;

/**
 * Event-bus contract of the notification domain (node-local request/reply). Bodies are validated by
 * {@link NotificationRoutes} (with {@link NotificationRules}) before they are sent; a notification in
 * a reply is {@code {"id", "userId", "type", "title", "message", "actionUrl", "priority", "read",
 * "readAt", "metadata", "createdAt"}} with ISO-8601 UTC timestamps.
 *
 * <ul>
 *   <li>{@link #LIST}: {@code {"userId", "read"?, "type"?, "priority"?, "page", "pageSize", "after"?}} →
 *   {@code {"items": [notification...], "total": n}}, newest first. With {@code after} (a notification
 *   id) only the user's notifications newer than that one, at most {@code pageSize}, the newest of
 *   them; {@code total} counts all that are newer. An {@code after} that is not one of the user's
 *   notifications fails with {@code NOT_FOUND}.</li>
 *   <li>{@link #UNREAD_COUNT}: {@code {"userId"}} → {@code {"count": n}}.</li>
 *   <li>{@link #MARK_READ}: {@code {"userId", "id"}} → {@code {"id", "read": true, "readAt"}};
 *   {@code NOT_FOUND} when the user has no such notification. Repeating it changes nothing.</li>
 *   <li>{@link #READ_ALL}: {@code {"userId"}} → {@code {"updated": n}}.</li>
 *   <li>{@link #DELETE}: {@code {"userId", "id"}} → null; {@code NOT_FOUND} as for a mark.</li>
 *   <li>{@link #CREATE}: {@code {"userIds": [distinct ids]} or {"userRole": role}} plus {@code "type",
 *   "title", "message", "actionUrl"?, "priority", "metadata"?} → {@code {"created": n,
 *   "notificationIds": [...]}} (ids only when n ≤ 1,000). {@code UNPROCESSABLE} with
 *   {@code "unknownUserIds"} when a listed user is not in the directory (nothing created), and
 *   {@code UNPROCESSABLE} when there is no recipient.</li>
 *   <li>{@link #PURGE_READ}: {@code {"batchSize": n, "readBefore": "<ISO-8601 instant>"}} →
 *   {@code {"deleted": total}}. Deletes notifications that are read and whose {@code read_at} is before
 *   {@code readBefore}, at most {@code batchSize} rows per statement, statement after statement until a
 *   batch comes back short. Unread notifications are never deleted. Used by the cleanup job.</li>
 * </ul>
 *
 * <p>Every change is also published (cluster-wide, through {@link #PUSH_FANOUT}) to the user's browser address
 * {@code notifications.user.<userId>} (see {@code dev.systemtables.push.BrowserAddresses}):
 * <ul>
 *   <li>{@code {"event": "notification.created", "notification": {...}, "unreadCount": n}}</li>
 *   <li>{@code {"event": "notification.read", "id", "readAt", "unreadCount": n}} (only when the mark
 *   changed the notification)</li>
 *   <li>{@code {"event": "notifications.read-all", "updated": n, "unreadCount": n}}</li>
 *   <li>{@code {"event": "notification.deleted", "id", "unreadCount": n}}</li>
 * </ul>
 * The cleanup purge publishes nothing: it removes only read notifications, so no count changes.
 */
public final class NotificationContract {

  public static final String LIST = "notifications.list";
  public static final String UNREAD_COUNT = "notifications.unread-count";
  public static final String MARK_READ = "notifications.mark-read";
  public static final String READ_ALL = "notifications.read-all";
  public static final String DELETE = "notifications.delete";
  public static final String CREATE = "notifications.create";
  public static final String PURGE_READ = "notifications.purge-read";

  /**
   * Internal and cluster-wide (never browser-visible): {@code {"userId", "event"}}. Every node's
   * notification verticle listens from start-up and hands the event to that node's sockets on
   * {@code notifications.user.<userId>} with a local-only publish. Browser registrations come and go
   * while nodes join and die; this one registration per node predates them all, so a push does not
   * depend on a fresh browser registration having reached the cluster's subscription map.
   */
  public static final String PUSH_FANOUT = "notifications.internal.push";

  /** Event names published to a user's browser address. */
  public static final String EVENT_CREATED = "notification.created";
  public static final String EVENT_READ = "notification.read";
  public static final String EVENT_READ_ALL = "notifications.read-all";
  public static final String EVENT_DELETED = "notification.deleted";

  private NotificationContract() {
  }
}
