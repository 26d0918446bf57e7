package dev.systemtables.idempotency;

import dev.systemtables.common.BadInput;
import dev.systemtables.common.Fields;
import io.vertx.core.json.JsonObject;

/** A claim through the claim API: the key, what kind of entity the work creates, and the request's hash. */
public record ClaimRequest(String key, String entityType, String requestHash) {

  /** Reads {@code {"key", "entityType", "requestHash"}}; throws {@link BadInput} naming the field. */
  public static ClaimRequest fromJson(JsonObject body) {
    return new ClaimRequest(
        IdempotencyRules.key("key", Fields.optionalString(body, "key")),
        IdempotencyRules.text("entityType", Fields.optionalString(body, "entityType")),
        IdempotencyRules.text("requestHash", Fields.optionalString(body, "requestHash")));
  }
}
