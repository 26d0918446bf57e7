package dev.systemtables.flags;

import dev.systemtables.auth.Caller;
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
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * HTTP adapter of the feature flags.
 *
 * <p>Evaluation ({@code GET /flags/{name}/enabled}, {@code GET /flags/enabled},
 * {@code POST /flags/evaluate}, any role) is the deliberate exception to "the HTTP layer talks to
 * domains over the event bus": it reads the node's immutable in-memory {@link FlagSnapshot} straight
 * from {@link FlagSnapshots} and evaluates it here, with no event-bus hop, no PostgreSQL and no Redis
 * per request, because flags are read on nearly every page view. The snapshot is written by
 * {@link FlagVerticle} alone. Answers are booleans only: never conditions, ids or audit.
 *
 * <p>Administration (ADMIN) goes over the event bus to {@link FlagVerticle} like every other domain call.
 */
public final class FlagRoutes {

  /** Fields a client may send back from a GET without them meaning anything. */
  private static final Set<String> READ_ONLY = Set.of("id", "createdBy", "updatedBy", "createdAt", "updatedAt");
  private static final Set<String> WRITABLE = Set.of("name", "enabled", "description", "rolloutPercentage", "conditions");
  private static final Set<String> EVALUATE_FIELDS = Set.of("flags", "context");

  private final Vertx vertx;
  private final FlagSnapshots snapshots;

  public FlagRoutes(Vertx vertx, FlagSnapshots snapshots) {
    this.vertx = vertx;
    this.snapshots = snapshots;
  }

  public void mount(Api api) {
    // Fixed segments first: "/flags/enabled" must never be read as a flag id or name.
    api.route(HttpMethod.GET, "/flags/enabled", Access.ANY, this::allEnabled);
    api.route(HttpMethod.POST, "/flags/evaluate", Access.ANY, this::evaluate);
    api.route(HttpMethod.GET, "/flags/:name/enabled", Access.ANY, this::oneEnabled);
    api.route(HttpMethod.GET, "/flags", Access.ADMIN, this::list);
    api.route(HttpMethod.POST, "/flags", Access.ADMIN, this::create);
    api.route(HttpMethod.GET, "/flags/:id/audit", Access.ADMIN, this::audit);
    api.route(HttpMethod.PATCH, "/flags/:id", Access.ADMIN, this::update);
    api.route(HttpMethod.DELETE, "/flags/:id", Access.ADMIN, this::delete);
  }

  // ---- evaluation: from memory ----

  private Future<Reply> oneEnabled(Request req) {
    boolean on = FlagEvaluator.isEnabled(snapshots.current(), req.pathParam("name"), subject(req.caller(), Map.of()));
    return Future.succeededFuture(Reply.ok(new JsonObject().put("enabled", on)));
  }

  private Future<Reply> allEnabled(Request req) {
    Map<String, Boolean> values = FlagEvaluator.evaluateAll(snapshots.current(), subject(req.caller(), Map.of()));
    return Future.succeededFuture(flags(values));
  }

  private Future<Reply> evaluate(Request req) {
    JsonObject body = req.json();
    rejectUnknown(body, EVALUATE_FIELDS, "an evaluation request");
    List<String> names = Fields.optionalStringList(body, "flags");
    JsonObject context = Fields.optionalObject(body, "context");
    @SuppressWarnings("unchecked")
    Map<String, Object> attributes = context == null ? Map.of() : (Map<String, Object>) FlagJson.plain(context);
    EvaluationContext subject = subject(req.caller(), attributes);
    FlagSnapshot snapshot = snapshots.current();
    Map<String, Boolean> values = names == null
        ? FlagEvaluator.evaluateAll(snapshot, subject)
        : FlagEvaluator.evaluate(snapshot, names, subject);
    return Future.succeededFuture(flags(values));
  }

  /**
   * The caller's attributes for custom conditions: request attributes, then the token's claims on top,
   * so a request can add facts but never contradict its own token.
   */
  static EvaluationContext subject(Caller caller, Map<String, Object> requestAttributes) {
    Map<String, Object> attributes = new HashMap<>(requestAttributes);
    attributes.putAll(caller.claims());
    return new EvaluationContext(caller.sub(), caller.role().name(), caller.brandId(), caller.creatorId(), attributes);
  }

  private static Reply flags(Map<String, Boolean> values) {
    JsonObject flags = new JsonObject();
    values.forEach(flags::put);
    return Reply.ok(new JsonObject().put("flags", flags));
  }

  // ---- administration: over the event bus to FlagVerticle ----

  private Future<Reply> list(Request req) {
    return Bus.<JsonObject>request(vertx, FlagContract.LIST, new JsonObject()).map(r -> {
      JsonArray flags = r.getJsonArray("flags");
      return Reply.json(200, new JsonObject().put("data", flags).put("meta", new JsonObject().put("total", flags.size())));
    });
  }

  private Future<Reply> create(Request req) {
    JsonObject body = req.json();
    rejectUnknown(body, WRITABLE, "a flag");
    String name = Fields.optionalString(body, "name");
    Boolean enabled = Fields.optionalBoolean(body, "enabled");
    String description = Fields.optionalString(body, "description");
    Integer rollout = Fields.optionalInt(body, "rolloutPercentage");
    JsonObject conditions = Fields.optionalObject(body, "conditions");
    check(() -> {
      FlagRules.checkName(name);
      FlagRules.checkDescription(description);
      if (rollout != null) FlagRules.checkRolloutPercentage(rollout);
      FlagRules.conditions(FlagJson.plain(conditions));
    });
    JsonObject flag = new JsonObject().put("actor", req.caller().sub()).put("name", name)
        .put("enabled", enabled != null && enabled).put("description", description)
        .put("rolloutPercentage", rollout == null ? 0 : rollout).put("conditions", conditions);
    return Bus.<JsonObject>request(vertx, FlagContract.CREATE, flag).map(Reply::created);
  }

  private Future<Reply> update(Request req) {
    JsonObject body = req.json();
    rejectUnknown(body, WRITABLE, "a flag");
    JsonObject changes = new JsonObject();
    for (String field : List.of("name", "enabled", "rolloutPercentage")) {
      if (body.containsKey(field) && body.getValue(field) == null) {
        throw ApiException.validation(field + " must not be null");
      }
    }
    check(() -> {
      if (body.containsKey("name")) {
        String name = Fields.optionalString(body, "name");
        FlagRules.checkName(name);
        changes.put("name", name);
      }
      if (body.containsKey("enabled")) changes.put("enabled", Fields.optionalBoolean(body, "enabled"));
      if (body.containsKey("description")) {
        String description = Fields.optionalString(body, "description");
        FlagRules.checkDescription(description);
        changes.put("description", description);
      }
      if (body.containsKey("rolloutPercentage")) {
        int rollout = Fields.optionalInt(body, "rolloutPercentage");
        FlagRules.checkRolloutPercentage(rollout);
        changes.put("rolloutPercentage", rollout);
      }
      if (body.containsKey("conditions")) {
        // Explicit null clears the conditions; absence keeps them.
        JsonObject conditions = Fields.optionalObject(body, "conditions");
        FlagRules.conditions(FlagJson.plain(conditions));
        changes.put("conditions", conditions);
      }
    });
    if (changes.isEmpty()) {
      throw ApiException.validation("body changes no field (name, enabled, description, rolloutPercentage, conditions)");
    }
    JsonObject msg = new JsonObject().put("actor", req.caller().sub()).put("id", req.pathParam("id")).put("changes", changes);
    return Bus.<JsonObject>request(vertx, FlagContract.UPDATE, msg).map(Reply::ok);
  }

  private Future<Reply> delete(Request req) {
    JsonObject msg = new JsonObject().put("actor", req.caller().sub()).put("id", req.pathParam("id"));
    return Bus.request(vertx, FlagContract.DELETE, msg).map(x -> Reply.noContent());
  }

  private Future<Reply> audit(Request req) {
    return Bus.<JsonObject>request(vertx, FlagContract.AUDIT, new JsonObject().put("id", req.pathParam("id")))
        .map(r -> {
          JsonArray entries = r.getJsonArray("entries");
          return Reply.json(200, new JsonObject().put("data", entries)
              .put("meta", new JsonObject().put("total", entries.size())));
        });
  }

  private static void rejectUnknown(JsonObject body, Set<String> allowed, String what) {
    for (String field : body.fieldNames()) {
      if (!allowed.contains(field) && !(allowed == WRITABLE && READ_ONLY.contains(field))) {
        throw ApiException.validation(field + " is not a field of " + what);
      }
    }
  }

  private static void check(Runnable rules) {
    try {
      rules.run();
    } catch (FlagRules.Violation v) {
      throw ApiException.validation(v.getMessage());
    }
  }
}
