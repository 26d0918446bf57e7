package dev.systemtables.common;

import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.ConnectException;
import java.util.concurrent.TimeoutException;

/** Turns any failure into something a caller may see, without leaking internals. */
public final class Failures {

  private static final Logger LOG = LoggerFactory.getLogger(Failures.class);

  private Failures() {
  }

  /** SQLSTATE {@code 23505}: the row is already there. */
  public static boolean isUniqueViolation(Throwable t) {
    return t instanceof PgException pg && "23505".equals(pg.getSqlState());
  }

  /**
   * Classifies a failure: API errors pass through; a database that cannot be reached becomes
   * {@code UNAVAILABLE} (503 + Retry-After); everything else is logged and becomes {@code INTERNAL}
   * with a generic detail.
   */
  public static ApiException toApi(Throwable t) {
    if (t instanceof ApiException api) return api;
    if (t instanceof BadInput bad) return ApiException.validation(bad.getMessage());
    if (isUnavailable(t)) {
      LOG.warn("dependency unavailable: {}", t.toString());
      return ApiException.unavailable("the database is unavailable, retry shortly");
    }
    LOG.error("unexpected failure", t);
    return new ApiException(ErrorCode.INTERNAL, "internal error");
  }

  static boolean isUnavailable(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof ConnectException || c instanceof ClosedConnectionException
          || c instanceof TimeoutException || c instanceof java.io.IOException) {
        return true;
      }
      if (c instanceof PgException pg && pg.getSqlState() != null
          && (pg.getSqlState().startsWith("08") || pg.getSqlState().startsWith("57P")
              || "55000".equals(pg.getSqlState()))) {
        return true;
      }
      String name = c.getClass().getName();
      String msg = String.valueOf(c.getMessage()).toLowerCase();
      // Netty and the pool report these without a dedicated exception type.
      if (name.contains("ConnectTimeout") || name.contains("NoStackTraceTimeoutException")
          || msg.contains("connection refused") || msg.contains("timeout") || msg.contains("timed out")
          || msg.contains("connection is closed") || msg.contains("connection reset")) {
        return true;
      }
    }
    return false;
  }
}
