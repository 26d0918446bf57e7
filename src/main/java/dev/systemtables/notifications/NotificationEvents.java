package dev.systemtables.notifications;

import io.vertx.core.json.JsonObject;

/**
 * The events a user's browsers receive on {@code notifications.user.<userId>}, each with the user's new
 * unread count. The notification inside {@code notification.created} is {@link Notification#toJson()}, the
 * same mapping REST answers with.
 */
final class NotificationEvents {

  static final String CREATED = "notification.created";
  static final String READ = "notification.read";
  static final String READ_ALL = "notifications.read-all";
  static final String DELETED = "notification.deleted";

  private NotificationEvents() {
  }

  static JsonObject created(Notification n, long unreadCount) {
    return new JsonObject().put("event", CREATED).put("notification", n.toJson()).put("unreadCount", unreadCount);
  }

  static JsonObject read(ReadReceipt receipt, long unreadCount) {
    return new JsonObject().put("event", READ).put("id", receipt.id()).put("readAt", receipt.readAt().toString())
        .put("unreadCount", unreadCount);
  }

  static JsonObject readAll(int updated, long unreadCount) {
    return new JsonObject().put("event", READ_ALL).put("updated", updated).put("unreadCount", unreadCount);
  }

  static JsonObject deleted(String id, long unreadCount) {
    return new JsonObject().put("event", DELETED).put("id", id).put("unreadCount", unreadCount);
  }
}
