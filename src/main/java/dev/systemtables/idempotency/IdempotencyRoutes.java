package dev.systemtables.idempotency;

import dev.systemtables.NodeContext;
import dev.systemtables.common.ApiException;
import dev.systemtables.common.Bus;
import dev.systemtables.common.Fields;
import dev.systemtables.http.Access;
import dev.systemtables.http.Api;
import dev.systemtables.http.Reply;
import dev.systemtables.http.Request;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;

import java.time.Duration;

/**
 * HTTP adapter of the claim API ({@code /idempotency}), for callers that make their own operations
 * idempotent: claim a key, do the work, complete (or release on failure). Every call is scoped to the
 * caller's {@code sub}. Claims are rate limited per caller ({@code rateLimits.idempotencyClaimsPerHour}).
 */
public final class IdempotencyRoutes {

  /** Path prefix the header filter leaves alone: the claim API is idempotent by itself. */
  public static final String PATH = "/idempotency";
  static final String RATE_BUCKET = "idempotency-claims";

  private final Vertx vertx;
  private final NodeContext node;
  private final int claimsPerHour;

  public IdempotencyRoutes(Vertx vertx, NodeContext node) {
    this.vertx = vertx;
    this.node = node;
    this.claimsPerHour = node.config().section("rateLimits").getInteger("idempotencyClaimsPerHour", 100);
  }

  public void mount(Api api) {
    api.route(HttpMethod.GET, PATH + "/:key", Access.ANY, this::lookup);
    api.route(HttpMethod.POST, PATH, Access.ANY, this::claim);
    api.route(HttpMethod.POST, PATH + "/:key/complete", Access.ANY, this::complete);
    api.route(HttpMethod.DELETE, PATH + "/:key", Access.ANY, this::release);
  }

  private Future<Reply> lookup(Request req) {
    JsonObject msg = scoped(req, pathKey(req));
    return Bus.<JsonObject>request(vertx, IdempotencyContract.LOOKUP, msg).map(Reply::ok);
  }

  private Future<Reply> claim(Request req) {
    JsonObject body = req.json();
    String key = Fields.optionalString(body, "key");
    String entityType = Fields.optionalString(body, "entityType");
    String requestHash = Fields.optionalString(body, "requestHash");
    check(IdempotencyRules.checkKey("key", key));
    check(IdempotencyRules.checkText("entityType", entityType));
    check(IdempotencyRules.checkText("requestHash", requestHash));
    JsonObject msg = scoped(req, key).put("entityType", entityType).put("requestHash", requestHash);
    return node.rateLimiter().hit(RATE_BUCKET, req.caller().sub(), claimsPerHour, Duration.ofHours(1))
        .compose(x -> Bus.<JsonObject>request(vertx, IdempotencyContract.CLAIM, msg))
        .map(r -> IdempotencyContract.COMPLETED.equals(r.getString("outcome"))
            ? Reply.ok(r.getJsonObject("record"))
            : Reply.created(r.getJsonObject("record")));
  }

  private Future<Reply> complete(Request req) {
    String key = pathKey(req);
    JsonObject body = req.json();
    String entityId = Fields.optionalString(body, "entityId");
    Integer status = Fields.optionalInt(body, "responseStatus");
    if (entityId != null) check(IdempotencyRules.checkText("entityId", entityId));
    check(IdempotencyRules.checkStatus("responseStatus", status));
    JsonObject msg = scoped(req, key).put("entityId", entityId).put("responseStatus", status)
        .put("responseBody", body.getValue("responseBody"));
    return Bus.<JsonObject>request(vertx, IdempotencyContract.COMPLETE, msg).map(Reply::ok);
  }

  private Future<Reply> release(Request req) {
    JsonObject msg = scoped(req, pathKey(req));
    return Bus.request(vertx, IdempotencyContract.RELEASE, msg).map(x -> Reply.noContent());
  }

  private static String pathKey(Request req) {
    String key = req.pathParam("key");
    check(IdempotencyRules.checkKey("key", key));
    return key;
  }

  private static JsonObject scoped(Request req, String key) {
    return new JsonObject().put("scope", req.caller().sub()).put("key", key);
  }

  private static void check(String error) {
    if (error != null) throw ApiException.validation(error);
  }
}
