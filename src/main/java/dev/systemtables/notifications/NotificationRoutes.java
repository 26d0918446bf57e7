package dev.systemtables.notifications;

import dev.systemtables.NodeContext;
import dev.systemtables.common.ApiException;
import dev.systemtables.common.Bus;
import dev.systemtables.common.ErrorCode;
import dev.systemtables.common.Fields;
import dev.systemtables.http.Access;
import dev.systemtables.http.Api;
import dev.systemtables.http.Reply;
import dev.systemtables.http.Request;
import dev.systemtables.users.UserRules;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * HTTP adapter of the notification domain: reads and validates requests, applies the rate limits,
 * asks {@link NotificationVerticle} over the event bus. A caller only ever reaches their own
 * notifications: the user id sent to the domain is always the token's {@code sub}.
 *
 * <p>Rate limits (per caller, fixed windows): {@code rateLimits.notificationCreatesPerHour} counts one
 * hit per create call whatever its number of recipients; {@code rateLimits.markReadPerMinute} counts
 * one hit per mark and per read-all. Requests that fail validation are not counted.
 */
public final class NotificationRoutes {

  private static final Set<String> RECIPIENT_FIELDS = Set.of("userId", "userIds", "userRole");

  private final Vertx vertx;
  private final NodeContext node;
  private final int createsPerHour;
  private final int marksPerMinute;

  public NotificationRoutes(Vertx vertx, NodeContext node) {
    this.vertx = vertx;
    this.node = node;
    JsonObject limits = node.config().section("rateLimits");
    this.createsPerHour = limits.getInteger("notificationCreatesPerHour", 1000);
    this.marksPerMinute = limits.getInteger("markReadPerMinute", 100);
  }

  public void mount(Api api) {
    api.route(HttpMethod.GET, "/notifications", Access.ANY, this::list);
    api.route(HttpMethod.GET, "/notifications/unread-count", Access.ANY, this::unreadCount);
    api.route(HttpMethod.POST, "/notifications/read-all", Access.ANY, this::readAll);
    api.route(HttpMethod.POST, "/notifications/:id/read", Access.ANY, this::markRead);
    api.route(HttpMethod.DELETE, "/notifications/:id", Access.ANY, this::delete);
    api.route(HttpMethod.POST, "/notifications", Access.ADMIN, this::create);
  }

  private Future<Reply> list(Request req) {
    JsonObject q = new JsonObject().put("userId", req.caller().sub());
    try {
      q.put("read", NotificationRules.parseBoolean("read", req.query("read")));
      q.put("pageSize", NotificationRules.parseInt("pageSize", req.query("pageSize"),
          NotificationRules.PAGE_SIZE_DEFAULT, 1, NotificationRules.PAGE_SIZE_MAX));
      q.put("page", NotificationRules.parseInt("page", req.query("page"), 1, 1, NotificationRules.PAGE_MAX));
    } catch (IllegalArgumentException e) {
      throw ApiException.validation(e.getMessage());
    }
    String type = req.query("type");
    String priority = req.query("priority");
    check(NotificationRules.checkType("type", type, false));
    check(NotificationRules.checkPriority("priority", priority));
    q.put("type", type).put("priority", priority);
    String after = req.query("after");
    if (after != null) {
      if (req.query("page") != null) throw ApiException.validation("after and page cannot be combined");
      check(UserRules.checkId("after", after));
      q.put("after", after);
    }
    return Bus.<JsonObject>request(vertx, NotificationContract.LIST, q).map(r -> {
      int pageSize = q.getInteger("pageSize");
      long total = r.getLong("total");
      JsonObject pagination = new JsonObject()
          .put("page", q.getInteger("page")).put("pageSize", pageSize)
          .put("total", total).put("totalPages", (total + pageSize - 1) / pageSize);
      JsonObject meta = new JsonObject().put("pagination", pagination);
      if (after != null) meta.put("after", after);
      return Reply.json(200, new JsonObject().put("data", r.getJsonArray("items")).put("meta", meta));
    });
  }

  private Future<Reply> unreadCount(Request req) {
    return Bus.<JsonObject>request(vertx, NotificationContract.UNREAD_COUNT,
        new JsonObject().put("userId", req.caller().sub())).map(Reply::ok);
  }

  private Future<Reply> markRead(Request req) {
    JsonObject body = new JsonObject().put("userId", req.caller().sub()).put("id", req.pathParam("id"));
    return limitMarks(req).compose(x -> Bus.<JsonObject>request(vertx, NotificationContract.MARK_READ, body))
        .map(Reply::ok);
  }

  private Future<Reply> readAll(Request req) {
    JsonObject body = new JsonObject().put("userId", req.caller().sub());
    return limitMarks(req).compose(x -> Bus.<JsonObject>request(vertx, NotificationContract.READ_ALL, body))
        .map(Reply::ok);
  }

  private Future<Reply> delete(Request req) {
    JsonObject body = new JsonObject().put("userId", req.caller().sub()).put("id", req.pathParam("id"));
    return Bus.request(vertx, NotificationContract.DELETE, body).map(x -> Reply.noContent());
  }

  private Future<Reply> create(Request req) {
    JsonObject command = validCreate(req.json());
    return node.rateLimiter().hit("notification-create", req.caller().sub(), createsPerHour, Duration.ofHours(1))
        .compose(x -> Bus.<JsonObject>request(vertx, NotificationContract.CREATE, command))
        .map(Reply::created);
  }

  private Future<Void> limitMarks(Request req) {
    return node.rateLimiter().hit("notification-mark-read", req.caller().sub(), marksPerMinute, Duration.ofMinutes(1));
  }

  /** The create command for the domain: one recipient form (userIds or userRole) and checked fields. */
  static JsonObject validCreate(JsonObject body) {
    long given = RECIPIENT_FIELDS.stream().filter(f -> body.getValue(f) != null).count();
    if (given != 1) throw ApiException.validation("exactly one of userId, userIds, userRole is required");
    JsonObject command = new JsonObject();
    String userId = Fields.optionalString(body, "userId");
    List<String> userIds = Fields.optionalStringList(body, "userIds");
    String userRole = Fields.optionalString(body, "userRole");
    if (userId != null) {
      check(UserRules.checkId("userId", userId));
      command.put("userIds", new JsonArray().add(userId));
    } else if (userIds != null) {
      if (userIds.size() > NotificationRules.MAX_RECIPIENT_IDS) {
        throw ApiException.validation("userIds must hold at most " + NotificationRules.MAX_RECIPIENT_IDS + " ids");
      }
      for (int i = 0; i < userIds.size(); i++) check(UserRules.checkId("userIds[" + i + "]", userIds.get(i)));
      // One notification per person, however often the list names them.
      command.put("userIds", new JsonArray(List.copyOf(new LinkedHashSet<>(userIds))));
    } else {
      check(UserRules.checkRole("userRole", userRole));
      command.put("userRole", userRole);
    }
    String type = Fields.optionalString(body, "type");
    String title = Fields.optionalString(body, "title");
    String message = Fields.optionalString(body, "message");
    String actionUrl = Fields.optionalString(body, "actionUrl");
    String priority = Fields.optionalString(body, "priority");
    JsonObject metadata = Fields.optionalObject(body, "metadata");
    check(NotificationRules.checkType("type", type, true));
    check(NotificationRules.checkText("title", title, NotificationRules.TITLE_MAX));
    check(NotificationRules.checkText("message", message, NotificationRules.MESSAGE_MAX));
    check(NotificationRules.checkActionUrl("actionUrl", actionUrl));
    check(NotificationRules.checkPriority("priority", priority));
    check(NotificationRules.checkMetadataSize("metadata", metadata == null ? null : metadata.encode()));
    if (userIds != null && userIds.isEmpty()) {
      throw new ApiException(ErrorCode.UNPROCESSABLE, "userIds is empty: the notification has no recipient");
    }
    return command.put("type", type).put("title", title).put("message", message).put("actionUrl", actionUrl)
        .put("priority", priority == null ? NotificationRules.DEFAULT_PRIORITY : priority)
        .put("metadata", metadata);
  }

  private static void check(String error) {
    if (error != null) throw ApiException.validation(error);
  }
}
