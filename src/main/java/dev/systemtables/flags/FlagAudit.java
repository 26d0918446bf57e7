package dev.systemtables.flags;

import io.vertx.core.json.JsonObject;

import java.time.Instant;

/**
 * One audited change of a flag: who did what, and the flag before and after (its API shape; null before a
 * create and after a delete).
 *
 * @param source     {@code api} (an admin's call), {@code scheduler} (a scheduled change: {@code actor} is
 *                   {@code scheduler}, {@code onBehalfOf} the admin who scheduled it) or {@code import}
 * @param onBehalfOf the admin a scheduled change was applied for; null otherwise
 */
public record FlagAudit(String id, String flagId, String flagName, String action, String actor,
                        JsonObject before, JsonObject after, Instant createdAt, String source, String onBehalfOf) {

  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id)
        .put("flagId", flagId)
        .put("flagName", flagName)
        .put("action", action)
        .put("actor", actor)
        .put("before", before)
        .put("after", after)
        .put("createdAt", createdAt.toString())
        .put("source", source)
        .put("onBehalfOf", onBehalfOf);
  }
}
