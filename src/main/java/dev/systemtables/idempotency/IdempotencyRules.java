package dev.systemtables.idempotency;

import dev.systemtables.common.BadInput;
import dev.systemtables.common.Check;

/**
 * The idempotency rules as plain Java: what a key may be, how the header spells one, and what a
 * claim that found an existing record answers. Checks throw {@link BadInput} naming the field.
 */
public final class IdempotencyRules {

  public static final int MAX_KEY_LENGTH = 255;
  public static final int MAX_TEXT_LENGTH = 255;
  public static final String HEADER = "Idempotency-Key";

  private IdempotencyRules() {
  }

  /** A key is 1–255 visible ASCII characters (0x21–0x7E): no spaces, no control characters, no Unicode. */
  public static String key(String field, String key) {
    Check.required(field, key);
    Check.that(!key.isEmpty(), field + " must not be empty");
    Check.that(key.length() <= MAX_KEY_LENGTH, field + " must be at most " + MAX_KEY_LENGTH + " characters");
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      Check.that(c >= 0x21 && c <= 0x7E, field + " must hold only visible ASCII characters (0x21-0x7E), found 0x"
          + Integer.toHexString(c) + " at position " + i);
    }
    return key;
  }

  /** A required text field (entity type, request hash, entity id): 1–255 characters, no control characters. */
  public static String text(String field, String value) {
    Check.required(field, value);
    Check.that(!value.isBlank(), field + " must not be blank");
    Check.that(value.length() <= MAX_TEXT_LENGTH, field + " must be at most " + MAX_TEXT_LENGTH + " characters");
    Check.that(Check.noControl(value), field + " must not contain control characters");
    return value;
  }

  /** An HTTP status a completed record may store. */
  public static int status(String field, Integer status) {
    Check.required(field, status);
    Check.that(status >= 100 && status <= 599, field + " must be an HTTP status between 100 and 599");
    return status;
  }

  /**
   * The key a header value names. The IETF httpapi draft defines the header as a structured-field
   * string, {@code "abc"}; plain {@code abc} is accepted as well and means the same key. Inside quotes
   * only the escapes {@code \"} and {@code \\} exist. Returns null when the quoted form is malformed;
   * the result still has to pass {@link #checkKey}.
   */
  public static String keyFromHeader(String value) {
    if (value == null) return null;
    if (value.length() < 2 || value.charAt(0) != '"' || value.charAt(value.length() - 1) != '"') {
      return value;
    }
    StringBuilder key = new StringBuilder(value.length() - 2);
    for (int i = 1; i < value.length() - 1; i++) {
      char c = value.charAt(i);
      if (c == '\\') {
        if (i + 1 >= value.length() - 1) return null;
        char next = value.charAt(++i);
        if (next != '"' && next != '\\') return null;
        key.append(next);
      } else if (c == '"') {
        return null;
      } else {
        key.append(c);
      }
    }
    return key.toString();
  }

  /** Whether a mutating method: only these are wrapped by the header filter. */
  public static boolean isMutating(String method) {
    return "POST".equals(method) || "PUT".equals(method) || "PATCH".equals(method) || "DELETE".equals(method);
  }

  /** What a claim answers when the atomic claim statement left an existing live record alone. */
  public enum Existing {
    /** Completed with the same request hash: give back the stored result (200 / replay). */
    REPLAY,
    /** A fresh claim with the same request hash is processing (409 IDEMPOTENCY_IN_PROGRESS). */
    IN_PROGRESS,
    /** The key is held for another request (422 IDEMPOTENCY_KEY_REUSED). */
    KEY_REUSED,
    /** The record turned claimable between the two statements (went stale, expired, or was released): claim again. */
    CLAIM_AGAIN
  }

  /**
   * Decides about a live record the claim statement did not take. A different request hash wins over
   * every state: the same key used for another request is a caller bug whether or not the first is done,
   * and a stale claim is taken over only by a retry of the same request.
   *
   * @param exists    whether a record is there at all (it may have been released or purged meanwhile)
   * @param expired   its {@code expires_at} has passed
   * @param sameHash  its request hash equals the claim's
   * @param processed it is completed
   * @param stale     it is processing and its claim is older than the stale window
   */
  public static Existing decide(boolean exists, boolean expired, boolean sameHash, boolean processed, boolean stale) {
    if (!exists || expired) return Existing.CLAIM_AGAIN;
    if (!sameHash) return Existing.KEY_REUSED;
    if (processed) return Existing.REPLAY;
    return stale ? Existing.CLAIM_AGAIN : Existing.IN_PROGRESS;
  }
}
