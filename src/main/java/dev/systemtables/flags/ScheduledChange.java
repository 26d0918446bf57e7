package dev.systemtables.flags;

import io.vertx.core.json.JsonObject;

import java.time.Instant;

/**
 * A change an admin scheduled for a flag: the PATCH body it applies, and when. {@code status} is
 * {@code pending}, then exactly one of {@code applied}, {@code cancelled} or {@code failed} (with
 * {@code error} saying why).
 *
 * @param patch       a flag PATCH body, checked when it was scheduled and again when it is applied
 * @param scheduledBy the admin (token {@code sub}) on whose behalf the scheduler applies it
 * @param appliedBy   the node that applied it (or found it failing), null before
 */
public record ScheduledChange(String id, String flagId, String flagName, JsonObject patch, Instant at,
                              String scheduledBy, String status, Instant createdAt, Instant appliedAt,
                              String appliedBy, String cancelledBy, String error) {

  public static final String PENDING = "pending";
  public static final String APPLIED = "applied";
  public static final String CANCELLED = "cancelled";
  public static final String FAILED = "failed";

  /** Its API shape. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id)
        .put("flagId", flagId)
        .put("flagName", flagName)
        .put("at", at.toString())
        .put("patch", patch)
        .put("status", status)
        .put("scheduledBy", scheduledBy)
        .put("createdAt", createdAt.toString())
        .put("appliedAt", appliedAt == null ? null : appliedAt.toString())
        .put("cancelledBy", cancelledBy)
        .put("error", error);
  }
}
