package dev.systemtables.common;

import io.vertx.core.json.JsonObject;

/**
 * A failure that callers are meant to see: a catalog code, a human detail naming the field
 * or resource at fault, and optional extras (e.g. {@code retryAfterSeconds}, offending ids).
 * No stack trace is captured: it is control flow, not a bug.
 */
public class ApiException extends RuntimeException {

  private final ErrorCode code;
  private final JsonObject extra;

  public ApiException(ErrorCode code, String detail) {
    this(code, detail, null);
  }

  public ApiException(ErrorCode code, String detail, JsonObject extra) {
    super(detail, null, false, false);
    this.code = code;
    this.extra = extra == null ? new JsonObject() : extra;
  }

  public ErrorCode code() {
    return code;
  }

  public String detail() {
    return getMessage();
  }

  /** Extra members for the problem body; {@code retryAfterSeconds} also becomes a {@code Retry-After} header. */
  public JsonObject extra() {
    return extra;
  }

  public static ApiException validation(String detail) {
    return new ApiException(ErrorCode.VALIDATION_FAILED, detail);
  }

  public static ApiException notFound(String detail) {
    return new ApiException(ErrorCode.NOT_FOUND, detail);
  }

  public static ApiException unavailable(String detail) {
    return new ApiException(ErrorCode.UNAVAILABLE, detail, new JsonObject().put("retryAfterSeconds", 2));
  }

  public static ApiException rateLimited(long retryAfterSeconds) {
    return new ApiException(ErrorCode.RATE_LIMITED, "rate limit exceeded, retry in " + retryAfterSeconds + " s",
        new JsonObject().put("retryAfterSeconds", Math.max(1, retryAfterSeconds)));
  }
}
