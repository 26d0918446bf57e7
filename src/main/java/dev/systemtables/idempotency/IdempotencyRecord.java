package dev.systemtables.idempotency;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.Map;

/**
 * An idempotency record, the one record of the entity. {@link #toJson()} is its public shape; the claim id,
 * the request hash and the exact response text and headers stay inside the service (the header filter
 * replays them byte for byte).
 *
 * @param id              the claim's id: a retry that took over a stale claim has another
 * @param responseText    the exact response text, or null
 * @param responseJson    the response as PostgreSQL's jsonb keeps it, or null (e.g. for a non-JSON text)
 * @param responseHeaders headers to replay with the text
 */
public record IdempotencyRecord(
    String id,
    String key,
    String entityType,
    String entityId,
    String requestHash,
    boolean processed,
    Integer responseStatus,
    String responseText,
    String responseJson,
    Map<String, String> responseHeaders,
    Instant createdAt,
    Instant expiresAt) {

  public IdempotencyRecord {
    responseHeaders = responseHeaders == null ? Map.of() : Map.copyOf(responseHeaders);
  }

  /** The stored response as a JSON value: the exact text decoded (so member order survives), else the jsonb. */
  public Object responseBody() {
    if (responseText != null) {
      try {
        return Json.decodeValue(responseText);
      } catch (DecodeException e) {
        return responseText;
      }
    }
    return responseJson == null ? null : Json.decodeValue(responseJson);
  }

  /** {@code {"key", "processed", "entityType", "entityId", "responseStatus", "responseBody", "createdAt", "expiresAt"}}. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("key", key)
        .put("processed", processed)
        .put("entityType", entityType)
        .put("entityId", entityId)
        .put("responseStatus", responseStatus)
        .put("responseBody", responseBody())
        .put("createdAt", createdAt.toString())
        .put("expiresAt", expiresAt.toString());
  }
}
