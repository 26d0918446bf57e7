package dev.systemtables.common;

/**
 * The one error catalog. Domains fail with a code; the HTTP layer maps it to a status
 * and an RFC 9457 body in one place ({@code dev.systemtables.http.Problems}).
 * Codes are part of the public contract: never rename one.
 */
public enum ErrorCode {
  VALIDATION_FAILED(400, "Validation failed"),
  MALFORMED_JSON(400, "Malformed JSON"),
  UNAUTHORIZED(401, "Unauthorized"),
  FORBIDDEN(403, "Forbidden"),
  NOT_FOUND(404, "Not found"),
  METHOD_NOT_ALLOWED(405, "Method not allowed"),
  CONFLICT(409, "Conflict"),
  IDEMPOTENCY_IN_PROGRESS(409, "Idempotent request in progress"),
  ALREADY_COMPLETED(409, "Already completed"),
  FLAG_NAME_TAKEN(409, "Flag name taken"),
  PAYLOAD_TOO_LARGE(413, "Payload too large"),
  UNSUPPORTED_MEDIA_TYPE(415, "Unsupported media type"),
  IDEMPOTENCY_KEY_REUSED(422, "Idempotency key reused"),
  UNPROCESSABLE(422, "Unprocessable request"),
  RATE_LIMITED(429, "Too many requests"),
  INTERNAL(500, "Internal error"),
  UNAVAILABLE(503, "Service unavailable");

  private final int status;
  private final String title;

  ErrorCode(int status, String title) {
    this.status = status;
    this.title = title;
  }

  public int status() {
    return status;
  }

  public String title() {
    return title;
  }

  /** The catalog code for a name, {@link #INTERNAL} for anything unknown. */
  public static ErrorCode of(String name) {
    if (name != null) {
      for (ErrorCode c : values()) {
        if (c.name().equals(name)) return c;
      }
    }
    return INTERNAL;
  }
}
