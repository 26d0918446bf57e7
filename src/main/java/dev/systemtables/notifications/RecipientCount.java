package dev.systemtables.notifications;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * Who a create with these recipients would reach right now, resolved exactly as the create resolves them.
 *
 * @param count          distinct users who would get a notification
 * @param unknownUserIds listed ids missing from the directory (a create naming any of them is refused)
 */
public record RecipientCount(long count, List<String> unknownUserIds) {

  public RecipientCount {
    unknownUserIds = List.copyOf(unknownUserIds);
  }

  /** {@code {"count": n, "unknownUserIds": [...]}}. */
  public JsonObject toJson() {
    return new JsonObject().put("count", count).put("unknownUserIds", new JsonArray(new ArrayList<>(unknownUserIds)));
  }
}
