package dev.systemtables.http;

import dev.systemtables.common.ApiException;
import dev.systemtables.common.ErrorCode;
import dev.systemtables.common.Failures;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/** Maps catalog codes to RFC 9457 {@code application/problem+json} responses: the one place that does. */
public final class Problems {

  public static final String CONTENT_TYPE = "application/problem+json";

  private Problems() {
  }

  public static JsonObject body(ApiException e) {
    ErrorCode code = e.code();
    JsonObject body = new JsonObject()
        .put("type", "https://system-tables.dev/problems/" + code.name().toLowerCase().replace('_', '-'))
        .put("title", code.title())
        .put("status", code.status())
        .put("detail", e.detail())
        .put("code", code.name());
    e.extra().forEach(entry -> {
      if (!body.containsKey(entry.getKey())) body.put(entry.getKey(), entry.getValue());
    });
    return body;
  }

  /** Writes any failure as a problem; unknown failures are logged and answered without details. */
  public static void write(HttpServerResponse response, Throwable failure) {
    if (response.ended() || response.headWritten()) {
      if (!response.ended()) response.reset();
      return;
    }
    ApiException e = Failures.toApi(failure);
    Object retryAfter = e.extra().getValue("retryAfterSeconds");
    if (retryAfter != null) response.putHeader("Retry-After", String.valueOf(retryAfter));
    response.setStatusCode(e.code().status())
        .putHeader("Content-Type", CONTENT_TYPE)
        .end(body(e).encode());
  }

  public static void write(HttpServerResponse response, ErrorCode code, String detail) {
    write(response, new ApiException(code, detail));
  }
}
