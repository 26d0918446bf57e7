package dev.systemtables.http;

import dev.systemtables.auth.Caller;
import dev.systemtables.common.ApiException;
import dev.systemtables.common.ErrorCode;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
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
   * The body as a JSON object ({} when empty). Malformed JSON or a non-object body is a 400
   * naming the body, never a 500.
   */
  public JsonObject json() {
    if (json != null) return json;
    String raw = rawBody();
    if (raw.isBlank()) {
      json = new JsonObject();
      return json;
    }
    Object parsed;
    try {
      parsed = Json.decodeValue(raw);
    } catch (DecodeException e) {
      throw new ApiException(ErrorCode.MALFORMED_JSON, "body is not valid JSON");
    }
    if (!(parsed instanceof JsonObject o)) {
      throw ApiException.validation("body must be a JSON object");
    }
    String nul = nulPath(o, "");
    if (nul != null) {
      // PostgreSQL text and jsonb cannot hold U+0000: refuse it here instead of failing in the database.
      throw ApiException.validation((nul.isEmpty() ? "body" : nul) + " must not contain the NUL character (\\u0000)");
    }
    json = o;
    return json;
  }

  /** The path of the first member name or string holding U+0000, or null. */
  private static String nulPath(Object value, String path) {
    if (value instanceof String s) return s.indexOf('\0') >= 0 ? path : null;
    if (value instanceof JsonObject o) {
      for (var e : o) {
        String child = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
        if (e.getKey().indexOf('\0') >= 0) return child;
        String found = nulPath(e.getValue(), child);
        if (found != null) return found;
      }
    } else if (value instanceof io.vertx.core.json.JsonArray a) {
      for (int i = 0; i < a.size(); i++) {
        String found = nulPath(a.getValue(i), path + "[" + i + "]");
        if (found != null) return found;
      }
    }
    return null;
  }
}
