package dev.systemtables.notifications;

import dev.systemtables.common.BadInput;
import dev.systemtables.common.Check;
import dev.systemtables.common.Fields;
import io.vertx.core.json.JsonObject;

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
    return of(Check.booleanParam("read", param.apply("read")),
        param.apply("type"), param.apply("priority"),
        integerParam("page", param.apply("page"), NotificationRules.PAGE_MAX),
        integerParam("pageSize", param.apply("pageSize"), NotificationRules.PAGE_SIZE_MAX),
        param.apply("after"));
  }

  /**
   * Reads the same query as a JSON object ({@code {"read": true, "type": "SYSTEM", "page": 2, ...}}, all optional;
   * the tRPC endpoint's input), with the same rules as {@link #fromParams}; throws {@link BadInput}.
   */
  public static NotificationQuery fromJson(JsonObject input) {
    return of(Fields.optionalBoolean(input, "read"),
        Fields.optionalString(input, "type"), Fields.optionalString(input, "priority"),
        Fields.optionalInt(input, "page"), Fields.optionalInt(input, "pageSize"),
        Fields.optionalString(input, "after"));
  }

  /** The rules of both spellings: ranges, defaults, enum names, and {@code after} excluding {@code page}. */
  private static NotificationQuery of(Boolean read, String type, String priority, Integer page, Integer pageSize,
                                      String after) {
    int size = pageSize == null ? NotificationRules.PAGE_SIZE_DEFAULT
        : Check.range("pageSize", pageSize, 1, NotificationRules.PAGE_SIZE_MAX);
    int number = page == null ? 1 : Check.range("page", page, 1, NotificationRules.PAGE_MAX);
    Notification.Type t = Check.oneOf("type", type, Notification.Type.class);
    Notification.Priority p = Check.oneOf("priority", priority, Notification.Priority.class);
    if (after != null) {
      Check.that(page == null, "after and page cannot be combined");
      Check.id("after", after);
    }
    return new NotificationQuery(read, t, p, number, size, after);
  }

  /** A query parameter meant as an integer from 1 to {@code max}; null when absent. The range is checked by {@link #of}. */
  private static Integer integerParam(String field, String text, int max) {
    if (text == null) return null;
    try {
      return Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      throw new BadInput(field + " must be an integer between 1 and " + max);
    }
  }
}
