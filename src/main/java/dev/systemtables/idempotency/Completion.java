package dev.systemtables.idempotency;

import dev.systemtables.common.BadInput;
import dev.systemtables.common.Fields;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

import java.util.Map;

/**
 * The result stored when work is done.
 *
 * @param claimId      only this very claim may be completed (the header filter's), or null for any
 * @param responseText the exact response text (the filter's, replayed byte for byte), or null
 * @param responseJson the response as JSON text for the jsonb column, or null when it is not JSON
 */
public record Completion(String claimId, String entityId, int responseStatus, String responseText,
                         String responseJson, Map<String, String> responseHeaders) {

  public Completion {
    responseHeaders = responseHeaders == null ? Map.of() : Map.copyOf(responseHeaders);
  }

  /** Reads a claim-API completion: {@code {"entityId"?, "responseStatus", "responseBody"?}} (any JSON body). */
  public static Completion fromJson(JsonObject body) {
    String entityId = Fields.optionalString(body, "entityId");
    if (entityId != null) IdempotencyRules.text("entityId", entityId);
    int status = IdempotencyRules.status("responseStatus", Fields.optionalInt(body, "responseStatus"));
    Object value = body.getValue("responseBody");
    String json = value == null ? null : Json.encode(value);
    return new Completion(null, entityId, status, json, json, Map.of());
  }

  /** A response the header filter stores for its claim: the exact text, kept as JSON too when it is JSON. */
  public static Completion ofResponse(String claimId, int status, String text, Map<String, String> headers) {
    return new Completion(claimId, null, status, text, asJson(text), headers);
  }

  private static String asJson(String text) {
    if (text == null || text.isBlank()) return null;
    try {
      Json.decodeValue(text);
      return text;
    } catch (io.vertx.core.json.DecodeException e) {
      return null;
    }
  }

}
