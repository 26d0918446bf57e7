package dev.systemtables.notifications;

import io.vertx.core.json.JsonObject;

import java.time.Instant;

/** The state of a notification after a mark-as-read: it is read, since {@code readAt}. */
public record ReadReceipt(String id, Instant readAt) {

  /** {@code {"id", "read": true, "readAt"}}. */
  public JsonObject toJson() {
    return new JsonObject().put("id", id).put("read", true).put("readAt", readAt.toString());
  }
}
