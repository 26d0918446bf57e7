package dev.systemtables.notifications;

import dev.systemtables.auth.Role;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.List;

/**
 * One entry of the send log: a create call, who made it, to whom, how many notifications it created, and
 * what they said. Written in the create's transaction, so the log and the inboxes never disagree.
 *
 * @param role         the role broadcast to, or null when users were listed
 * @param listedIds    the first {@link #LISTED_IDS_KEPT} ids listed (empty for a role broadcast)
 * @param requested    how many distinct users were listed, or how many held the role when it was sent
 * @param created      how many notifications were created
 */
public record Send(String id, String actor, Role role, List<String> listedIds, int requested,
                   int created, Notification.Type type, String title, String message, String actionUrl,
                   Notification.Priority priority, JsonObject metadata, Instant createdAt) {

  /** How many listed recipient ids the log keeps per send. */
  public static final int LISTED_IDS_KEPT = 20;

  public Send {
    listedIds = listedIds == null ? List.of() : List.copyOf(listedIds);
  }

  /**
   * {@code {"id", "sentBy", "recipients": {"userRole"} | {"userIds": [first 20], "listed": n}, "created",
   * "type", "priority", "title", "message", "actionUrl", "metadata", "sentAt"}}.
   */
  public JsonObject toJson() {
    JsonObject recipients = role != null
        ? new JsonObject().put("userRole", role.name()).put("holders", requested)
        : new JsonObject().put("userIds", new JsonArray(listedIds)).put("listed", requested);
    return new JsonObject()
        .put("id", id)
        .put("sentBy", actor)
        .put("recipients", recipients)
        .put("created", created)
        .put("type", type.name())
        .put("priority", priority.name())
        .put("title", title)
        .put("message", message)
        .put("actionUrl", actionUrl)
        .put("metadata", metadata)
        .put("sentAt", createdAt.toString());
  }
}
