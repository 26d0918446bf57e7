package dev.systemtables.common;

import java.time.OffsetDateTime;

/** Timestamps as the API shows them: ISO-8601 in UTC. */
public final class Times {

  private Times() {
  }

  /** ISO-8601 UTC text of a database timestamp (seconds always shown), null for null. */
  public static String iso(OffsetDateTime t) {
    return t == null ? null : t.toInstant().toString();
  }
}
