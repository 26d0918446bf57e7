package dev.systemtables.notifications;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.systemtables.common.Page;
import dev.systemtables.http.Access;
import dev.systemtables.http.Api;
import dev.systemtables.http.Reply;
import dev.systemtables.http.Request;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * HTTP adapter of the notification domain: reads requests into the domain's records, calls
 * {@link NotificationService}, shapes the replies. The user id it passes is always the token's {@code sub}.
 */
public final class NotificationRoutes {

  private final NotificationService notifications;

  public NotificationRoutes(NotificationService notifications) {
    this.notifications = notifications;
  }

  public void mount(Api api) {
    api.route(HttpMethod.GET, "/notifications", Access.ANY, this::list);
    api.route(HttpMethod.GET, "/notifications/unread-count", Access.ANY, req ->
        notifications.unreadCount(req.caller().sub()).map(n -> Reply.ok(new JsonObject().put("count", n))));
    api.route(HttpMethod.POST, "/notifications/read-all", Access.ANY, req ->
        notifications.markAllRead(req.caller().sub()).map(n -> Reply.ok(new JsonObject().put("updated", n))));
    api.route(HttpMethod.POST, "/notifications/:id/read", Access.ANY, req ->
        notifications.markRead(req.caller().sub(), req.pathParam("id")).map(r -> Reply.ok(r.toJson())));
    api.route(HttpMethod.DELETE, "/notifications/:id", Access.ANY, req ->
        notifications.delete(req.caller().sub(), req.pathParam("id")).map(x -> Reply.noContent()));
    // Before sending: how many a create with these recipients reaches. POST because userIds may hold 10,000 ids.
    api.route(HttpMethod.POST, "/notifications/recipients", Access.ADMIN, req ->
        notifications.countRecipients(NewNotification.recipientsFromJson(req.json())).map(c -> Reply.ok(c.toJson())));
    api.route(HttpMethod.GET, "/notifications/sent", Access.ADMIN, this::sent);
    api.route(HttpMethod.POST, "/notifications", Access.ADMIN, req ->
        notifications.create(req.caller().sub(), NewNotification.fromJson(req.json())).map(d -> Reply.created(d.toJson())));
  }

  private Future<Reply> sent(Request req) {
    SendQuery q = SendQuery.fromParams(req::query);
    return notifications.sends(q).map(page -> {
      JsonArray items = new JsonArray(new java.util.ArrayList<>(page.items().size()));
      page.items().forEach(s -> items.add(s.toJson()));
      return Reply.json(200, new JsonObject().put("data", items).put("meta", new JsonObject().put("pagination",
          new JsonObject().put("page", q.page()).put("pageSize", q.pageSize())
              .put("total", page.total()).put("totalPages", (page.total() + q.pageSize() - 1) / q.pageSize()))));
    });
  }

  private Future<Reply> list(Request req) {
    NotificationQuery q = NotificationQuery.fromParams(req::query);
    return notifications.list(req.caller().sub(), q).map(page -> new Reply(200,
        "{\"data\":" + encodedItems(page.items()) + ",\"meta\":" + meta(page, q).encode() + "}", null));
  }

  /**
   * A list's answer, {@code {"data": [notification...], "meta": {"pagination": {"page", "pageSize", "total",
   * "totalPages"}, "after"?}}}: the tRPC {@code system.notifications.list}'s, and REST's (which writes the same
   * text without building the tree).
   */
  public static JsonObject listBody(Page<Notification> page, NotificationQuery q) {
    return new JsonObject().put("data", items(page.items())).put("meta", meta(page, q));
  }

  private static JsonArray items(List<Notification> page) {
    JsonArray items = new JsonArray(new java.util.ArrayList<>(page.size()));
    page.forEach(n -> items.add(n.toJson()));
    return items;
  }

  private static JsonObject meta(Page<Notification> page, NotificationQuery q) {
    JsonObject meta = new JsonObject().put("pagination", new JsonObject()
        .put("page", q.page()).put("pageSize", q.pageSize())
        .put("total", page.total()).put("totalPages", (page.total() + q.pageSize() - 1) / q.pageSize()));
    if (q.after() != null) meta.put("after", q.after());
    return meta;
  }

  /**
   * The items' JSON text, encoded once per page the domain keeps in memory: {@code InboxPages} hands out the very
   * same list while its page holds, so the text is remembered by the list's identity (weak keys: it goes when
   * the page goes). Encoding 20 notifications cost more CPU than everything else a kept page's request does.
   */
  private static final Cache<List<Notification>, String> ENCODED = Caffeine.newBuilder().weakKeys()
      .maximumSize(100_000).build();

  private static String encodedItems(List<Notification> page) {
    String text = ENCODED.getIfPresent(page);
    if (text == null) {
      // Not Cache.get(key, loader): encoding under the cache's lock could make another event loop wait.
      text = items(page).encode();
      ENCODED.put(page, text);
    }
    return text;
  }
}
