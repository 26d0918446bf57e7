package dev.systemtables.flags;

import dev.systemtables.auth.Caller;
import dev.systemtables.common.Check;
import dev.systemtables.common.Fields;
import dev.systemtables.http.Access;
import dev.systemtables.http.Api;
import dev.systemtables.http.Reply;
import dev.systemtables.http.Request;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
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
 * {@link FlagSnapshotVerticle} alone. Answers are booleans only: never conditions, ids or audit.
 *
 * <p>Administration (ADMIN) goes through {@link FlagService}, over the event bus, like every other domain call.
 */
public final class FlagRoutes {

  private static final Set<String> EVALUATE_FIELDS = Set.of("flags", "context");

  private final FlagService admin;
  private final FlagSnapshots snapshots;

  public FlagRoutes(FlagService admin, FlagSnapshots snapshots) {
    this.admin = admin;
    this.snapshots = snapshots;
  }

  public void mount(Api api) {
    // Fixed segments first: "/flags/enabled" must never be read as a flag id or name.
    api.route(HttpMethod.GET, "/flags/enabled", Access.ANY, this::allEnabled);
    api.route(HttpMethod.POST, "/flags/evaluate", Access.ANY, this::evaluate);
    api.route(HttpMethod.POST, "/flags/evaluations", Access.ANY, this::evaluations);
    api.route(HttpMethod.GET, "/flags/:name/enabled", Access.ANY, this::oneEnabled);
    api.route(HttpMethod.GET, "/flags/:name/evaluation", Access.ANY, this::oneEvaluation);
    api.route(HttpMethod.GET, "/flags/segments", Access.ADMIN, this::segments);
    api.route(HttpMethod.POST, "/flags/segments", Access.ADMIN, this::createSegment);
    api.route(HttpMethod.PATCH, "/flags/segments/:id", Access.ADMIN, this::updateSegment);
    api.route(HttpMethod.DELETE, "/flags/segments/:id", Access.ADMIN, this::deleteSegment);
    api.route(HttpMethod.GET, "/flags/segments/:id/audit", Access.ADMIN, this::segmentAudit);
    api.route(HttpMethod.POST, "/flags/import", Access.ADMIN, this::importUnleash);
    api.route(HttpMethod.GET, "/flags/scheduled-changes", Access.ADMIN, this::allScheduled);
    api.route(HttpMethod.DELETE, "/flags/scheduled-changes/:changeId", Access.ADMIN, this::cancelScheduled);
    api.route(HttpMethod.GET, "/flags", Access.ADMIN, this::list);
    api.route(HttpMethod.POST, "/flags", Access.ADMIN, this::create);
    api.route(HttpMethod.GET, "/flags/:id/audit", Access.ADMIN, this::audit);
    api.route(HttpMethod.GET, "/flags/:id/scheduled-changes", Access.ADMIN, this::flagScheduled);
    api.route(HttpMethod.POST, "/flags/:id/scheduled-changes", Access.ADMIN, this::schedule);
    api.route(HttpMethod.PATCH, "/flags/:id", Access.ADMIN, this::update);
    api.route(HttpMethod.DELETE, "/flags/:id", Access.ADMIN, this::delete);
  }

  // ---- evaluation: from memory ----

  private static final Reply ENABLED = new Reply(200, "{\"data\":{\"enabled\":true}}", null);
  private static final Reply DISABLED = new Reply(200, "{\"data\":{\"enabled\":false}}", null);

  private Future<Reply> oneEnabled(Request req) {
    boolean on = FlagEvaluator.isEnabled(snapshots.current(), req.pathParam("name"), subject(req.caller()));
    return Future.succeededFuture(on ? ENABLED : DISABLED);
  }

  /**
   * Every flag for the caller: this runs on nearly every page view, so a caller asking again under the same snapshot
   * gets its stored answer without evaluating ({@link FlagAnswers}).
   */
  private Future<Reply> allEnabled(Request req) {
    String body = snapshots.answers().allEnabled(subject(req.caller()));
    return Future.succeededFuture(new Reply(200, body, null));
  }

  private Future<Reply> evaluate(Request req) {
    JsonObject body = req.json();
    for (String field : body.fieldNames()) {
      Check.that(EVALUATE_FIELDS.contains(field), field + " is not a field of an evaluation request");
    }
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

  /** One flag for the caller's own token: value, variant and reason (an unknown flag is an ERROR answer, 200). */
  private Future<Reply> oneEvaluation(Request req) {
    Evaluation e = FlagEvaluator.evaluate(snapshots.current(), req.pathParam("name"), subject(req.caller()));
    return Future.succeededFuture(Reply.ok(EvaluationRequests.toJson(e)));
  }

  /** Several flags (all when {@code flags} is absent), for the caller or, for ADMIN and SERVICE, a given context. */
  private Future<Reply> evaluations(Request req) {
    JsonObject body = req.json();
    List<String> names = EvaluationRequests.flags(body);
    EvaluationContext context = EvaluationRequests.context(req.caller(), body);
    JsonArray out = EvaluationRequests.evaluateAll(snapshots.current(), names, context);
    return Future.succeededFuture(Reply.ok(new JsonObject().put("evaluations", out)));
  }

  /** The caller as its token describes it; custom conditions see the token's claims. (The tRPC isEnabled uses it too.) */
  public static EvaluationContext subject(Caller caller) {
    return new EvaluationContext(caller.sub(), caller.role(), caller.brandId(), caller.creatorId(), caller.claims());
  }

  /**
   * The caller's attributes for custom conditions: request attributes, then the token's claims on top,
   * so a request can add facts but never contradict its own token.
   */
  static EvaluationContext subject(Caller caller, Map<String, Object> requestAttributes) {
    Map<String, Object> attributes = new HashMap<>(requestAttributes);
    attributes.putAll(caller.claims());
    return new EvaluationContext(caller.sub(), caller.role(), caller.brandId(), caller.creatorId(), attributes);
  }

  private static Reply flags(Map<String, Boolean> values) {
    JsonObject flags = new JsonObject();
    values.forEach(flags::put);
    return Reply.ok(new JsonObject().put("flags", flags));
  }

  // ---- administration: through FlagService ----

  private Future<Reply> list(Request req) {
    return admin.list().map(flags -> {
      JsonArray out = new JsonArray();
      flags.forEach(f -> out.add(FlagJson.toJson(f)));
      return Reply.json(200, new JsonObject().put("data", out).put("meta", new JsonObject().put("total", out.size())));
    });
  }

  private Future<Reply> create(Request req) {
    return admin.create(req.caller().sub(), NewFlag.fromJson(req.json())).map(f -> Reply.created(FlagJson.toJson(f)));
  }

  private Future<Reply> update(Request req) {
    return admin.update(req.caller().sub(), req.pathParam("id"), FlagPatch.fromJson(req.json()))
        .map(f -> Reply.ok(FlagJson.toJson(f)));
  }

  private Future<Reply> delete(Request req) {
    return admin.delete(req.caller().sub(), req.pathParam("id")).map(x -> Reply.noContent());
  }

  private Future<Reply> audit(Request req) {
    return admin.audit(req.pathParam("id")).map(entries -> {
      JsonArray out = new JsonArray();
      entries.forEach(e -> out.add(e.toJson()));
      return Reply.json(200, new JsonObject().put("data", out).put("meta", new JsonObject().put("total", out.size())));
    });
  }

  // ---- Unleash import ----

  /** Unleash's client-API feature document in; what was created, updated, left, and not representable out. */
  private Future<Reply> importUnleash(Request req) {
    UnleashImport.Result mapped = UnleashImport.read(req.json());
    return admin.importUnleash(req.caller().sub(), mapped).map(report -> Reply.ok(report.toJson()));
  }

  // ---- segments ----

  private Future<Reply> segments(Request req) {
    return admin.segments().map(list -> {
      JsonArray out = new JsonArray();
      list.forEach(s -> out.add(SegmentJson.toJson(s)));
      return Reply.json(200, new JsonObject().put("data", out).put("meta", new JsonObject().put("total", out.size())));
    });
  }

  private Future<Reply> createSegment(Request req) {
    return admin.createSegment(req.caller().sub(), SegmentJson.newSegment(req.json()))
        .map(s -> Reply.created(SegmentJson.toJson(s)));
  }

  private Future<Reply> updateSegment(Request req) {
    return admin.updateSegment(req.caller().sub(), req.pathParam("id"), SegmentJson.patch(req.json()))
        .map(s -> Reply.ok(SegmentJson.toJson(s)));
  }

  private Future<Reply> deleteSegment(Request req) {
    return admin.deleteSegment(req.caller().sub(), req.pathParam("id")).map(x -> Reply.noContent());
  }

  private Future<Reply> segmentAudit(Request req) {
    return admin.segmentAudit(req.pathParam("id")).map(entries -> Reply.json(200, new JsonObject()
        .put("data", new JsonArray(new java.util.ArrayList<>(entries)))
        .put("meta", new JsonObject().put("total", entries.size()))));
  }

  // ---- scheduled changes ----

  private static final Set<String> CHANGE_STATUSES = Set.of(ScheduledChange.PENDING, ScheduledChange.APPLIED,
      ScheduledChange.CANCELLED, ScheduledChange.FAILED);

  private Future<Reply> schedule(Request req) {
    ScheduleRequest r = ScheduleRequest.fromJson(req.json(), Instant.now());
    return admin.schedule(req.caller().sub(), req.pathParam("id"), r.at(), r.patch())
        .map(c -> Reply.created(c.toJson()));
  }

  private Future<Reply> allScheduled(Request req) {
    return admin.scheduledChanges(null, status(req)).map(FlagRoutes::changes);
  }

  private Future<Reply> flagScheduled(Request req) {
    return admin.scheduledChanges(req.pathParam("id"), status(req)).map(FlagRoutes::changes);
  }

  private Future<Reply> cancelScheduled(Request req) {
    return admin.cancelScheduled(req.caller().sub(), req.pathParam("changeId")).map(c -> Reply.noContent());
  }

  private static String status(Request req) {
    String status = req.query("status");
    Check.that(status == null || CHANGE_STATUSES.contains(status),
        "status must be one of pending, applied, cancelled, failed");
    return status;
  }

  private static Reply changes(List<ScheduledChange> list) {
    JsonArray out = new JsonArray();
    list.forEach(c -> out.add(c.toJson()));
    return Reply.json(200, new JsonObject().put("data", out).put("meta", new JsonObject().put("total", out.size())));
  }
}
