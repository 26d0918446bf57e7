package dev.systemtables.notifications;

import dev.systemtables.common.Page;
import io.vertx.core.Future;

import java.time.Instant;

/**
 * The notification domain's operations: every caller (REST, the cleanup job, the coming endpoints) goes
 * through this interface, served by {@link NotificationVerticle} on every event loop. A user only ever
 * reaches their own notifications: {@code userId} is the caller's token {@code sub}, never a request value.
 * Changes are pushed to the user's browsers ({@link NotificationEvents}); rate limits are enforced here, per
 * caller, so every door into the domain shares them. Failures are catalog errors.
 */
public interface NotificationService {

  /**
   * The user's notifications, newest first: one page, or with {@link NotificationQuery#after()} those newer
   * than that notification (at most a page of them, the newest; {@code total} counts all newer).
   * {@code NOT_FOUND} when {@code after} is not one of the user's notifications.
   */
  Future<Page<Notification>> list(String userId, NotificationQuery query);

  /** How many of the user's notifications are unread. */
  Future<Long> unreadCount(String userId);

  /**
   * Marks one of the user's notifications read (repeating it changes nothing and answers the first read
   * time). {@code NOT_FOUND} when the user has no such notification; {@code RATE_LIMITED} past
   * {@code rateLimits.markReadPerMinute}.
   */
  Future<ReadReceipt> markRead(String userId, String notificationId);

  /** Marks every unread notification of the user read; how many changed. Counts against the mark-read limit. */
  Future<Integer> markAllRead(String userId);

  /** Deletes one of the user's notifications; {@code NOT_FOUND} when the user has none with that id. */
  Future<Void> delete(String userId, String notificationId);

  /**
   * Creates one notification per recipient, in one statement. {@code UNPROCESSABLE} (with
   * {@code unknownUserIds}) when a listed user is not in the directory, and nothing is created;
   * {@code UNPROCESSABLE} when there is no recipient; {@code RATE_LIMITED} past
   * {@code rateLimits.notificationCreatesPerHour} for {@code actor}.
   */
  Future<Delivery> create(String actor, NewNotification notification);

  /**
   * How many users a create with these recipients would reach now, resolved as {@link #create} resolves them,
   * and which listed ids the directory does not know. Writes nothing.
   */
  Future<RecipientCount> countRecipients(NewNotification.Recipients recipients);

  /** The send log, newest first: one entry per successful {@link #create}, by any admin. */
  Future<Page<Send>> sends(SendQuery query);

  /**
   * Deletes notifications read before {@code readBefore}, at most {@code batchSize} rows per statement,
   * until a batch comes back short; the number deleted. Unread notifications are never deleted.
   */
  Future<Long> purgeRead(Instant readBefore, int batchSize);
}
