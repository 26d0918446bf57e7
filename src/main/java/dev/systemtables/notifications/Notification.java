package dev.systemtables.notifications;

import io.vertx.core.json.JsonObject;

import java.time.Instant;

/**
 * A notification: the one record of the entity, read by the store, answered by REST, carried by push
 * events. {@link #toJson()} is its one JSON mapping. Adding a field means this record, the store's
 * column list and mapping, and a migration.
 *
 * @param readAt   null while unread
 * @param metadata a JSON object of at most 16 KiB, or null
 */
public record Notification(
    String id,
    String userId,
    Type type,
    String title,
    String message,
    String actionUrl,
    Priority priority,
    boolean read,
    Instant readAt,
    JsonObject metadata,
    Instant createdAt) {

  /** What a notification is about. */
  public enum Type { LICENSE, PAYOUT, ROYALTY, PROJECT, SYSTEM }

  /** How urgent it is. */
  public enum Priority { LOW, MEDIUM, HIGH, URGENT }

  /** The API shape: every field, timestamps ISO-8601 UTC, absent values as JSON null. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id)
        .put("userId", userId)
        .put("type", type.name())
        .put("title", title)
        .put("message", message)
        .put("actionUrl", actionUrl)
        .put("priority", priority.name())
        .put("read", read)
        .put("readAt", readAt == null ? null : readAt.toString())
        .put("metadata", metadata)
        .put("createdAt", createdAt.toString());
  }
}
