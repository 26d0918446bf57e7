package dev.systemtables.notifications;

import dev.systemtables.timer.CleanupJob;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.time.Instant;

/**
 * {@code notification-cleanup}: deletes notifications read more than {@code jobs.notification-cleanup.retentionDays}
 * (90) days ago. Unread notifications are kept whatever their age.
 */
public final class NotificationCleanup implements CleanupJob {

  public static final String NAME = "notification-cleanup";

  private final NotificationService notifications;
  private final Duration retention;

  /** Reads {@code jobs.notification-cleanup.retentionDays}; a bad value stops start-up naming the key. */
  public NotificationCleanup(NotificationService notifications, JsonObject jobsSection) {
    this(notifications, retention(jobsSection));
  }

  private NotificationCleanup(NotificationService notifications, Duration retention) {
    this.notifications = notifications;
    this.retention = retention;
  }

  /** The same job running against another implementation of the domain (tests). */
  public NotificationCleanup withDomain(NotificationService domain) {
    return new NotificationCleanup(domain, retention);
  }

  private static Duration retention(JsonObject jobsSection) {
    JsonObject own = jobsSection.getValue(NAME) instanceof JsonObject o ? o : new JsonObject();
    Object days = own.getValue("retentionDays", 90);
    if (!(days instanceof Integer d) || d < 0) {
      throw new IllegalArgumentException("jobs." + NAME + ".retentionDays must be an integer of at least 0, got '" + days + "'");
    }
    return Duration.ofDays(d);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Future<Long> run(Instant now, int batchSize) {
    return notifications.purgeRead(now.minus(retention), batchSize);
  }
}
