package dev.systemtables.notifications;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/** What a create did: one notification per recipient, their ids listed up to 1,000 recipients. */
public record Delivery(int created, List<String> notificationIds) {

  public Delivery {
    notificationIds = List.copyOf(notificationIds);
  }

  /** {@code {"created": n, "notificationIds": [...]}}, the ids only when n ≤ 1,000. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("created", created);
    if (created <= NotificationRules.MAX_LISTED_IDS) json.put("notificationIds", new JsonArray(notificationIds));
    return json;
  }
}
