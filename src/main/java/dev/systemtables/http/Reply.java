package dev.systemtables.http;

import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.Map;

/**
 * What an endpoint answers: a status, an optional body (encoded JSON text) and headers.
 * Endpoints return replies instead of writing to the response so that filters (the
 * Idempotency-Key filter) can store them and replay them byte for byte.
 */
public record Reply(int status, String body, Map<String, String> headers) {

  public Reply {
    headers = headers == null ? Map.of() : Map.copyOf(headers);
  }

  /** 200 with {@code {"data": data}}. */
  public static Reply ok(Object data) {
    return envelope(200, data);
  }

  /** 201 with {@code {"data": data}}. */
  public static Reply created(Object data) {
    return envelope(201, data);
  }

  /** 202 with {@code {"data": data}}. */
  public static Reply accepted(Object data) {
    return envelope(202, data);
  }

  public static Reply noContent() {
    return new Reply(204, null, null);
  }

  /** Any status with an already complete JSON body (e.g. a list with {@code meta}). */
  public static Reply json(int status, JsonObject body) {
    return new Reply(status, body.encode(), null);
  }

  public Reply withHeader(String name, String value) {
    Map<String, String> h = new HashMap<>(headers);
    h.put(name, value);
    return new Reply(status, body, h);
  }

  private static Reply envelope(int status, Object data) {
    return new Reply(status, new JsonObject().put("data", data).encode(), null);
  }
}
