package dev.systemtables.notifications;

import dev.systemtables.common.BadInput;
import dev.systemtables.common.Check;

import java.util.function.Function;

/**
 * Which of a user's notifications to list: optional filters, then either a page or, with
 * {@code after}, the catch-up of everything newer than one of the user's notifications.
 *
 * @param read     null for read and unread
 * @param page     1-based
 * @param after    a notification id of the user, or null
 */
public record NotificationQuery(Boolean read, Notification.Type type, Notification.Priority priority,
                                int page, int pageSize, String after) {

  /** Whether the filters select every notification of the user whatever their type and priority. */
  public boolean onlyReadFilter() {
    return type == null && priority == null;
  }

  public int offset() {
    return (page - 1) * pageSize;
  }

  /** Reads the query parameters ({@code read, type, priority, page, pageSize, after}); throws {@link BadInput}. */
  public static NotificationQuery fromParams(Function<String, String> param) {
    Boolean read = Check.booleanParam("read", param.apply("read"));
    int pageSize = Check.intParam("pageSize", param.apply("pageSize"), NotificationRules.PAGE_SIZE_DEFAULT,
        1, NotificationRules.PAGE_SIZE_MAX);
    int page = Check.intParam("page", param.apply("page"), 1, 1, NotificationRules.PAGE_MAX);
    Notification.Type type = Check.oneOf("type", param.apply("type"), Notification.Type.class);
    Notification.Priority priority = Check.oneOf("priority", param.apply("priority"), Notification.Priority.class);
    String after = param.apply("after");
    if (after != null) {
      Check.that(param.apply("page") == null, "after and page cannot be combined");
      Check.id("after", after);
    }
    return new NotificationQuery(read, type, priority, page, pageSize, after);
  }
}
