package dev.systemtables.common;

import io.vertx.core.VertxException;
import io.vertx.core.impl.NoStackTraceThrowable;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;

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
   * Classifies a failure: API errors pass through; PostgreSQL that cannot be reached becomes
   * {@code UNAVAILABLE} (503 + Retry-After); everything else is logged with a fresh correlation id and
   * becomes {@code INTERNAL}, whose problem body carries the same id (member {@code correlationId}), so an
   * operator can find the stack trace of the answer a caller reports.
   */
  public static ApiException toApi(Throwable t) {
    if (t instanceof ApiException api) return api;
    if (t instanceof BadInput bad) return ApiException.validation(bad.getMessage());
    if (isUnavailable(t)) {
      LOG.warn("database unavailable: {}", t.toString());
      return ApiException.unavailable("the database is unavailable, retry shortly");
    }
    String id = Ids.next();
    LOG.error("unexpected failure, correlation id {}", id, t);
    return new ApiException(ErrorCode.INTERNAL, "internal error", new JsonObject().put("correlationId", id));
  }

  /**
   * True only for a real failure to reach PostgreSQL, anywhere in the cause chain: the connection was
   * refused or could not be opened, it was lost, PostgreSQL said it cannot serve (SQLSTATE class 08
   * "connection exception", 57P01-57P03 shutting down / starting up, 53300 too many connections), or the
   * pool's wait for a free connection timed out. Decided by exception type and SQLSTATE, never by words
   * in a message: an unrelated I/O error or a message that happens to contain "timeout" is a bug to see
   * as a 500, not an outage to retry.
   */
  static boolean isUnavailable(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      // Netty's AnnotatedConnectException and ConnectTimeoutException are ConnectExceptions too.
      if (c instanceof ConnectException || c instanceof NoRouteToHostException
          || c instanceof UnknownHostException || c instanceof ClosedConnectionException) {
        return true;
      }
      if (c instanceof PgException pg && pg.getSqlState() != null) {
        String state = pg.getSqlState();
        if (state.startsWith("08") || "57P01".equals(state) || "57P02".equals(state) || "57P03".equals(state)
            || "53300".equals(state)) {
          return true;
        }
      }
      if (isPoolWaitTimeout(c)) return true;
      if (c.getCause() == c) break;
    }
    return false;
  }

  /**
   * The two failures vertx-sql-client's pool reports when no connection became free in time
   * ({@code PoolOptions.connectionTimeout}); it has no dedicated exception type for them, so they are
   * recognised by their exact class and text (FailuresTest provokes both from a real pool).
   */
  private static boolean isPoolWaitTimeout(Throwable c) {
    return (c instanceof NoStackTraceThrowable && "Timeout".equals(c.getMessage()))
        || (c instanceof VertxException && "Timeout waiting for connection".equals(c.getMessage()));
  }
}
