package dev.systemtables.idempotency;

/**
 * The idempotency rules as plain Java: what a key may be, how the header spells one, and what a
 * claim that found an existing record answers. Checks return an error detail naming the field, or null.
 */
public final class IdempotencyRules {

  public static final int MAX_KEY_LENGTH = 255;
  public static final int MAX_TEXT_LENGTH = 255;
  public static final String HEADER = "Idempotency-Key";

  private IdempotencyRules() {
  }

  /** A key is 1–255 visible ASCII characters (0x21–0x7E): no spaces, no control characters, no Unicode. */
  public static String checkKey(String field, String key) {
    if (key == null) return field + " is required";
    if (key.isEmpty()) return field + " must not be empty";
    if (key.length() > MAX_KEY_LENGTH) return field + " must be at most " + MAX_KEY_LENGTH + " characters";
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c < 0x21 || c > 0x7E) {
        return field + " must hold only visible ASCII characters (0x21-0x7E), found 0x"
            + Integer.toHexString(c) + " at position " + i;
      }
    }
    return null;
  }

  /** A required text field (entity type, request hash): 1–255 characters, no control characters. */
  public static String checkText(String field, String value) {
    if (value == null) return field + " is required";
    if (value.isBlank()) return field + " must not be blank";
    if (value.length() > MAX_TEXT_LENGTH) return field + " must be at most " + MAX_TEXT_LENGTH + " characters";
    for (int i = 0; i < value.length(); i++) {
      if (Character.isISOControl(value.charAt(i))) return field + " must not contain control characters";
    }
    return null;
  }

  /** An HTTP status a completed record may store. */
  public static String checkStatus(String field, Integer status) {
    if (status == null) return field + " is required";
    if (status < 100 || status > 599) return field + " must be an HTTP status between 100 and 599";
    return null;
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
