package dev.systemtables.http;

import dev.systemtables.auth.Caller;
import dev.systemtables.common.ApiException;
import dev.systemtables.common.ErrorCode;
import dev.systemtables.common.StrictJson;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** An authenticated API request: the routing context, the caller, and a safe way to read the body. */
public final class Request {

  private final RoutingContext rc;
  private final Caller caller;
  private JsonObject json;

  Request(RoutingContext rc, Caller caller) {
    this.rc = rc;
    this.caller = caller;
  }

  public Caller caller() {
    return caller;
  }

  public RoutingContext context() {
    return rc;
  }

  public HttpMethod method() {
    return rc.request().method();
  }

  /** The request path without the query string. */
  public String path() {
    return rc.request().path();
  }

  public String pathParam(String name) {
    return rc.pathParam(name);
  }

  public String query(String name) {
    return rc.queryParams().get(name);
  }

  public String header(String name) {
    return rc.request().getHeader(name);
  }

  /** The raw body text ("" when none). */
  public String rawBody() {
    return rc.body() == null || rc.body().buffer() == null ? "" : rc.body().asString();
  }

  /**
   * The body as a JSON object ({} when empty), read strictly ({@link StrictJson}): comments, other
   * non-standard syntax, duplicate members and bytes that are not UTF-8 are a 400 {@code MALFORMED_JSON};
   * a number beyond a double or underflowing to zero, U+0000 (which PostgreSQL text cannot hold) or a
   * lone surrogate is a 400 naming the member. Never a 500.
   */
  public JsonObject json() {
    if (json != null) return json;
    byte[] raw = rc.body() == null || rc.body().buffer() == null ? new byte[0] : rc.body().buffer().getBytes();
    if (isBlank(raw)) {
      json = new JsonObject();
      return json;
    }
    Object parsed;
    try {
      parsed = StrictJson.parse(raw);
    } catch (StrictJson.Invalid e) {
      throw new ApiException(e.syntax() ? ErrorCode.MALFORMED_JSON : ErrorCode.VALIDATION_FAILED, e.describe("body"));
    }
    if (!(parsed instanceof JsonObject o)) {
      throw ApiException.validation("body must be a JSON object");
    }
    json = o;
    return json;
  }

  private static boolean isBlank(byte[] raw) {
    for (byte b : raw) {
      if (b != ' ' && b != '\t' && b != '\n' && b != '\r') return false;
    }
    return true;
  }
}
