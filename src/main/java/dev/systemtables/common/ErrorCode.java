package dev.systemtables.common;

/**
 * The one error catalog. Domains fail with a code; the HTTP layer maps it to a status
 * and an RFC 9457 body in one place ({@code dev.systemtables.http.Problems}).
 * Codes are part of the public contract: never rename one.
 */
public enum ErrorCode {
  VALIDATION_FAILED(400, "Validation failed"),
  MALFORMED_JSON(400, "Malformed JSON"),
  /** The request itself is malformed (a missing or bad Host, a broken request line or %-escape). */
  BAD_REQUEST(400, "Bad request"),
  UNAUTHORIZED(401, "Unauthorized"),
  FORBIDDEN(403, "Forbidden"),
  NOT_FOUND(404, "Not found"),
  METHOD_NOT_ALLOWED(405, "Method not allowed"),
  NOT_ACCEPTABLE(406, "Not acceptable"),
  REQUEST_TIMEOUT(408, "Request timeout"),
  CONFLICT(409, "Conflict"),
  IDEMPOTENCY_IN_PROGRESS(409, "Idempotent request in progress"),
  ALREADY_COMPLETED(409, "Already completed"),
  FLAG_NAME_TAKEN(409, "Flag name taken"),
  PAYLOAD_TOO_LARGE(413, "Payload too large"),
  URI_TOO_LONG(414, "URI too long"),
  UNSUPPORTED_MEDIA_TYPE(415, "Unsupported media type"),
  EXPECTATION_FAILED(417, "Expectation failed"),
  IDEMPOTENCY_KEY_REUSED(422, "Idempotency key reused"),
  UNPROCESSABLE(422, "Unprocessable request"),
  UPGRADE_REQUIRED(426, "Upgrade required"),
  RATE_LIMITED(429, "Too many requests"),
  HEADERS_TOO_LARGE(431, "Request header fields too large"),
  INTERNAL(500, "Internal error"),
  NOT_IMPLEMENTED(501, "Not implemented"),
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

  /**
   * The generic code for an HTTP status the framework chose by itself (routing, codec, body reading):
   * the code of that status when the catalog has one, else {@link #BAD_REQUEST} for a 4xx and
   * {@link #INTERNAL} for anything else.
   */
  public static ErrorCode forStatus(int status) {
    for (ErrorCode c : new ErrorCode[] {BAD_REQUEST, UNAUTHORIZED, FORBIDDEN, NOT_FOUND, METHOD_NOT_ALLOWED,
        NOT_ACCEPTABLE, REQUEST_TIMEOUT, CONFLICT, PAYLOAD_TOO_LARGE, URI_TOO_LONG, UNSUPPORTED_MEDIA_TYPE,
        EXPECTATION_FAILED, UNPROCESSABLE, UPGRADE_REQUIRED, RATE_LIMITED, HEADERS_TOO_LARGE, NOT_IMPLEMENTED, UNAVAILABLE}) {
      if (c.status == status) return c;
    }
    return status >= 400 && status < 500 ? BAD_REQUEST : INTERNAL;
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
