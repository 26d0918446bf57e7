package dev.systemtables.idempotency;

import dev.systemtables.http.Access;
import dev.systemtables.http.Api;
import dev.systemtables.http.Reply;
import dev.systemtables.http.Request;
import io.vertx.core.http.HttpMethod;

/**
 * HTTP adapter of the claim API ({@code /idempotency}), for callers that make their own operations
 * idempotent: claim a key, do the work, complete (or release on failure). Every call is scoped to the
 * caller's {@code sub}.
 */
public final class IdempotencyRoutes {

  /** Path prefix the header filter leaves alone: the claim API is idempotent by itself. */
  public static final String PATH = "/idempotency";

  private final IdempotencyService idempotency;

  public IdempotencyRoutes(IdempotencyService idempotency) {
    this.idempotency = idempotency;
  }

  public void mount(Api api) {
    api.route(HttpMethod.GET, PATH + "/:key", Access.ANY, req ->
        idempotency.lookup(req.caller().sub(), pathKey(req)).map(r -> Reply.ok(r == null ? null : r.toJson())));
    api.route(HttpMethod.POST, PATH, Access.ANY, req ->
        idempotency.claim(req.caller().sub(), ClaimRequest.fromJson(req.json()))
            .map(c -> c.completed() ? Reply.ok(c.record().toJson()) : Reply.created(c.record().toJson())));
    api.route(HttpMethod.POST, PATH + "/:key/complete", Access.ANY, req -> {
      String key = pathKey(req);
      return idempotency.complete(req.caller().sub(), key, Completion.fromJson(req.json())).map(r -> Reply.ok(r.toJson()));
    });
    api.route(HttpMethod.DELETE, PATH + "/:key", Access.ANY, req ->
        idempotency.release(req.caller().sub(), pathKey(req), null).map(x -> Reply.noContent()));
  }

  private static String pathKey(Request req) {
    return IdempotencyRules.key("key", req.pathParam("key"));
  }
}
