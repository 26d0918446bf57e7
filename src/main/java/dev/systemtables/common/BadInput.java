package dev.systemtables.common;

/**
 * A request value that breaks a rule. The message names the offending field ({@code users[3].role},
 * {@code conditions.userIds[1]}, {@code Idempotency-Key header}) and is shown to the caller as a 400.
 * Plain Java, so the pure rule classes can throw it; {@link Failures} maps it to the catalog.
 */
public final class BadInput extends RuntimeException {

  public BadInput(String detail) {
    super(detail, null, false, false);
  }
}
