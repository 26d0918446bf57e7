package dev.systemtables.notifications;

import dev.systemtables.NodeContext;
import dev.systemtables.common.ApiException;
import dev.systemtables.common.Bus;
import dev.systemtables.common.ErrorCode;
import dev.systemtables.push.BrowserAddresses;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;

/**
 * Owns {@code notifications}: the inbox, unread counters, and pushes to browsers. Serves
 * {@link NotificationContract}; one instance per node.
 */
public final class NotificationVerticle extends VerticleBase {

  private final NodeContext node;
  private Pool pool;
  private NotificationStore store;
  private UnreadCounters counters;

  public NotificationVerticle(NodeContext node) {
    this.node = node;
  }

  @Override
  public Future<?> start() {
    pool = node.database().pool(vertx, "notifications", 4);
    store = new NotificationStore(pool);
    counters = new UnreadCounters(vertx, node.redis(), node.config().redisCommandTimeoutMillis(), store);
    counters.start();
    Bus.serve(vertx, NotificationContract.LIST, this::list);
    Bus.serve(vertx, NotificationContract.UNREAD_COUNT, body ->
        counters.count(body.getString("userId")).map(n -> new JsonObject().put("count", n)));
    Bus.serve(vertx, NotificationContract.MARK_READ, this::markRead);
    Bus.serve(vertx, NotificationContract.READ_ALL, this::readAll);
    Bus.serve(vertx, NotificationContract.DELETE, this::delete);
    Bus.serve(vertx, NotificationContract.CREATE, this::create);
    Bus.serve(vertx, NotificationContract.PURGE_READ, this::purgeRead);
    // Cluster-wide on purpose: every node hands each push to its own sockets, locally.
    MessageConsumer<JsonObject> pushes = vertx.eventBus().consumer(NotificationContract.PUSH_FANOUT, msg ->
        vertx.eventBus().publish(BrowserAddresses.user(msg.body().getString("userId")),
            msg.body().getJsonObject("event"), new DeliveryOptions().setLocalOnly(true)));
    return pushes.completion();
  }

  @Override
  public Future<?> stop() {
    if (counters != null) counters.stop();
    return pool == null ? Future.succeededFuture() : pool.close();
  }

  private Future<JsonObject> list(JsonObject body) {
    NotificationStore.Filter filter = new NotificationStore.Filter(body.getString("userId"),
        body.getBoolean("read"), body.getString("type"), body.getString("priority"));
    int pageSize = body.getInteger("pageSize");
    String after = body.getString("after");
    Future<NotificationStore.Page> page = after != null
        ? store.listAfter(filter, after, pageSize).compose(p -> p != null ? Future.succeededFuture(p)
            : Future.failedFuture(ApiException.notFound("after names no notification of yours: " + after)))
        : store.list(filter, pageSize, (body.getInteger("page") - 1) * pageSize);
    return page.map(p -> new JsonObject().put("items", new JsonArray(List.copyOf(p.items()))).put("total", p.total()));
  }

  private Future<JsonObject> markRead(JsonObject body) {
    String userId = body.getString("userId");
    String id = body.getString("id");
    return store.markRead(id, userId).compose(marked -> {
      if (marked == null) return Future.failedFuture(ApiException.notFound("no notification " + id));
      JsonObject reply = new JsonObject().put("id", marked.id()).put("read", true)
          .put("readAt", marked.readAt().toString());
      if (!marked.changed()) return Future.succeededFuture(reply);
      return counters.apply(userId, -1).map(unread -> {
        push(userId, new JsonObject().put("event", NotificationContract.EVENT_READ).put("id", marked.id())
            .put("readAt", reply.getString("readAt")).put("unreadCount", unread));
        return reply;
      });
    });
  }

  private Future<JsonObject> readAll(JsonObject body) {
    String userId = body.getString("userId");
    return store.readAll(userId).compose(updated -> counters.apply(userId, -updated).map(unread -> {
      push(userId, new JsonObject().put("event", NotificationContract.EVENT_READ_ALL).put("updated", updated)
          .put("unreadCount", unread));
      return new JsonObject().put("updated", updated);
    }));
  }

  private Future<Object> delete(JsonObject body) {
    String userId = body.getString("userId");
    String id = body.getString("id");
    return store.delete(id, userId).compose(wasUnread -> {
      if (wasUnread == null) return Future.failedFuture(ApiException.notFound("no notification " + id));
      return counters.apply(userId, wasUnread ? -1 : 0).map(unread -> {
        push(userId, new JsonObject().put("event", NotificationContract.EVENT_DELETED).put("id", id)
            .put("unreadCount", unread));
        return null;
      });
    });
  }

  private Future<JsonObject> create(JsonObject body) {
    JsonObject fields = new JsonObject()
        .put("type", body.getString("type")).put("title", body.getString("title"))
        .put("message", body.getString("message")).put("actionUrl", body.getString("actionUrl"))
        .put("priority", body.getString("priority")).put("metadata", body.getJsonObject("metadata"));
    Future<NotificationStore.Inserted> inserted;
    if (body.getString("userRole") != null) {
      inserted = store.insertForRole(body.getString("userRole"), fields);
    } else {
      List<String> ids = body.getJsonArray("userIds").stream().map(String::valueOf).toList();
      inserted = store.insertForUsers(ids, fields);
    }
    return inserted
        .recover(t -> Future.failedFuture(t instanceof NotificationStore.UnknownUsers u ? unknownUsers(u.ids) : t))
        .compose(rows -> {
          if (rows.ids().isEmpty()) {
            return Future.failedFuture(new ApiException(ErrorCode.UNPROCESSABLE, "the notification has no recipient"));
          }
          return counters.apply(rows.userIds(), 1).map(unread -> {
            pushCreated(rows, fields, unread);
            JsonObject reply = new JsonObject().put("created", rows.ids().size());
            if (rows.ids().size() <= NotificationRules.MAX_LISTED_IDS) {
              reply.put("notificationIds", new JsonArray(List.copyOf(rows.ids())));
            }
            return reply;
          });
        });
  }

  private void pushCreated(NotificationStore.Inserted rows, JsonObject fields, Map<String, Long> unread) {
    String createdAt = rows.createdAt().toString();
    for (int i = 0; i < rows.ids().size(); i++) {
      String userId = rows.userIds().get(i);
      JsonObject notification = new JsonObject()
          .put("id", rows.ids().get(i)).put("userId", userId)
          .put("type", fields.getString("type")).put("title", fields.getString("title"))
          .put("message", fields.getString("message")).put("actionUrl", fields.getString("actionUrl"))
          .put("priority", fields.getString("priority")).put("read", false).put("readAt", null)
          .put("metadata", fields.getJsonObject("metadata")).put("createdAt", createdAt);
      push(userId, new JsonObject().put("event", NotificationContract.EVENT_CREATED)
          .put("notification", notification).put("unreadCount", unread.get(userId)));
    }
  }

  /** Cluster-wide, so every tab of the user on every node hears it (see {@link NotificationContract#PUSH_FANOUT}). */
  private void push(String userId, JsonObject event) {
    vertx.eventBus().publish(NotificationContract.PUSH_FANOUT, new JsonObject().put("userId", userId).put("event", event));
  }

  private static ApiException unknownUsers(List<String> ids) {
    int shown = Math.min(ids.size(), 20);
    String named = String.join(", ", ids.subList(0, shown)) + (ids.size() > shown ? " and " + (ids.size() - shown) + " more" : "");
    return new ApiException(ErrorCode.UNPROCESSABLE, "userIds names unknown users: " + named
        + "; nothing was created", new JsonObject().put("unknownUserIds", new JsonArray(List.copyOf(ids))));
  }

  private Future<JsonObject> purgeRead(JsonObject body) {
    Object size = body.getValue("batchSize");
    if (!(size instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())
        || n.doubleValue() < 1 || n.doubleValue() > Integer.MAX_VALUE) {
      return Future.failedFuture(ApiException.validation("batchSize must be a positive integer"));
    }
    Instant readBefore;
    try {
      readBefore = Instant.parse(String.valueOf(body.getValue("readBefore")));
    } catch (DateTimeParseException e) {
      return Future.failedFuture(ApiException.validation("readBefore must be an ISO-8601 instant"));
    }
    return purge(readBefore, ((Number) size).intValue(), 0).map(total -> new JsonObject().put("deleted", total));
  }

  /** Batch after batch, each its own short statement, until one comes back short. */
  private Future<Long> purge(Instant readBefore, int batchSize, long soFar) {
    return store.purgeReadBatch(readBefore, batchSize).compose(n -> n < batchSize
        ? Future.succeededFuture(soFar + n)
        : purge(readBefore, batchSize, soFar + n));
  }
}
