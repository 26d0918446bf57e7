package dev.systemtables.notifications;

import dev.systemtables.auth.Role;
import dev.systemtables.common.BadInput;
import dev.systemtables.common.Check;
import dev.systemtables.common.Fields;
import io.vertx.core.json.JsonObject;

import java.util.LinkedHashSet;
import java.util.List;

/**
 * What an admin asks to send: the recipients and the content, checked.
 *
 * @param priority never null: {@link Notification.Priority#MEDIUM} when the request named none
 */
public record NewNotification(
    Recipients recipients,
    Notification.Type type,
    String title,
    String message,
    String actionUrl,
    Notification.Priority priority,
    JsonObject metadata) {

  /** Who receives it: listed users, or every holder of a role. */
  public sealed interface Recipients permits Users, RoleHolders {
  }

  /** Distinct user ids (a list naming someone twice sends them one notification). */
  public record Users(List<String> ids) implements Recipients {
    public Users {
      ids = List.copyOf(new LinkedHashSet<>(ids));
    }
  }

  /** Every user the directory lists with this role. */
  public record RoleHolders(Role role) implements Recipients {
  }

  /**
   * Reads the recipients of a create request: exactly one of {@code userId}, {@code userIds} (at most
   * 10,000), {@code userRole}; throws {@link BadInput} naming the field. Other members are not looked at.
   */
  public static Recipients recipientsFromJson(JsonObject body) {
    long given = NotificationRules.RECIPIENT_FIELDS.stream().filter(f -> body.getValue(f) != null).count();
    Check.that(given == 1, "exactly one of userId, userIds, userRole is required");
    String userId = Fields.optionalString(body, "userId");
    List<String> userIds = Fields.optionalStringList(body, "userIds");
    String userRole = Fields.optionalString(body, "userRole");
    if (userId != null) return new Users(List.of(Check.id("userId", userId)));
    if (userIds != null) {
      Check.that(userIds.size() <= NotificationRules.MAX_RECIPIENT_IDS,
          "userIds must hold at most " + NotificationRules.MAX_RECIPIENT_IDS + " ids");
      for (int i = 0; i < userIds.size(); i++) Check.id("userIds[" + i + "]", userIds.get(i));
      return new Users(userIds);
    }
    return new RoleHolders(Check.required("userRole", Check.oneOf("userRole", userRole, Role.class)));
  }

  /**
   * Reads a create request ({@code userId} | {@code userIds} | {@code userRole}, {@code type}, {@code title},
   * {@code message}, {@code actionUrl}?, {@code priority}?, {@code metadata}?); throws {@link BadInput} naming
   * the field. An empty {@code userIds} passes here: "no recipient" is the domain's 422.
   */
  public static NewNotification fromJson(JsonObject body) {
    Recipients recipients = recipientsFromJson(body);
    Notification.Type type = Check.required("type", Check.oneOf("type", Fields.optionalString(body, "type"),
        Notification.Type.class));
    String title = Check.text("title", Fields.optionalString(body, "title"), NotificationRules.TITLE_MAX);
    String message = Check.text("message", Fields.optionalString(body, "message"), NotificationRules.MESSAGE_MAX);
    String actionUrl = NotificationRules.actionUrl("actionUrl", Fields.optionalString(body, "actionUrl"));
    Notification.Priority priority = Check.oneOf("priority", Fields.optionalString(body, "priority"),
        Notification.Priority.class);
    JsonObject metadata = Fields.optionalObject(body, "metadata");
    NotificationRules.metadataSize("metadata", metadata == null ? null : metadata.encode());
    return new NewNotification(recipients, type, title, message, actionUrl,
        priority == null ? Notification.Priority.MEDIUM : priority, metadata);
  }
}
