package dev.systemtables.notifications;

import dev.systemtables.common.BadInput;
import dev.systemtables.common.Check;

import java.util.function.Function;

/** One page of the send log, newest first. */
public record SendQuery(int page, int pageSize) {

  public int offset() {
    return (page - 1) * pageSize;
  }

  /** Reads {@code page} and {@code pageSize} (1–100, default 20); throws {@link BadInput} naming the parameter. */
  public static SendQuery fromParams(Function<String, String> param) {
    int pageSize = Check.intParam("pageSize", param.apply("pageSize"), NotificationRules.PAGE_SIZE_DEFAULT,
        1, NotificationRules.PAGE_SIZE_MAX);
    int page = Check.intParam("page", param.apply("page"), 1, 1, NotificationRules.PAGE_MAX);
    return new SendQuery(page, pageSize);
  }
}
