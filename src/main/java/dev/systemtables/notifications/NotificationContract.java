package dev.systemtables.notifications;

/**
 * Event-bus contract of the notification domain (node-local request/reply).
 *
 * <ul>
 *   <li>{@link #PURGE_READ}: {@code {"batchSize": n, "readBefore": "<ISO-8601 instant>"}} →
 *   {@code {"deleted": total}}. Deletes notifications that are read and whose {@code read_at} is before
 *   {@code readBefore}, at most {@code batchSize} rows per statement, statement after statement until a
 *   batch comes back short. Unread notifications are never deleted. Used by the cleanup job.</li>
 * </ul>
 */
public final class NotificationContract {

  public static final String PURGE_READ = "notifications.purge-read";

  private NotificationContract() {
  }
}
