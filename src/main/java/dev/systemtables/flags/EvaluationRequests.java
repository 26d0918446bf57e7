package dev.systemtables.flags;

import dev.systemtables.auth.Caller;
import dev.systemtables.auth.Role;
import dev.systemtables.common.BadInput;
import dev.systemtables.common.Check;
import dev.systemtables.common.Fields;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The evaluation API's requests and answers ({@code GET /flags/{name}/evaluation},
 * {@code POST /flags/evaluations}).
 *
 * <p>Whom a flag is evaluated for:
 * <ul>
 *   <li>without a {@code context}: the caller, as its token says (any role);</li>
 *   <li>an ADMIN or SERVICE token with a {@code context}: exactly that context, {@code {"userId", "role",
 *   "brandId", "creatorId", "sessionId", "remoteAddress", "environment", "appName", "currentTime",
 *   "properties": {...}}}, all optional; the token's own claims play no part;</li>
 *   <li>any other token with a {@code context}: its claims win, as in {@code POST /flags/evaluate} and OFREP. Only
 *   {@code context.properties} is used, as extra attributes (a claim of the same name wins); the other members
 *   are read and checked but ignored, so a user can never evaluate as someone else, another tenant, another
 *   environment or another time.</li>
 * </ul>
 * Unknown members are refused (400 naming them) for every caller, so a typo is never silently ignored.
 */
public final class EvaluationRequests {

  static final Set<String> BODY_FIELDS = Set.of("flags", "context");
  static final Set<String> CONTEXT_FIELDS = Set.of("userId", "role", "brandId", "creatorId", "sessionId",
      "remoteAddress", "environment", "appName", "currentTime", "properties");
  static final int MAX_FLAGS = 1000;

  private EvaluationRequests() {
  }

  /** Whether this caller may evaluate for a context other than its own token. */
  public static boolean mayGiveContext(Caller caller) {
    return caller.role() == Role.ADMIN || caller.role() == Role.SERVICE;
  }

  /** The names a bulk request asks for, null for every flag. */
  static List<String> flags(JsonObject body) {
    for (String field : body.fieldNames()) {
      Check.that(BODY_FIELDS.contains(field), field + " is not a field of an evaluation request (flags, context)");
    }
    List<String> names = Fields.optionalStringList(body, "flags");
    Check.that(names == null || names.size() <= MAX_FLAGS, "flags may name at most " + MAX_FLAGS + " flags");
    return names;
  }

  /** The context a request evaluates for (see the class comment). */
  static EvaluationContext context(Caller caller, JsonObject body) {
    JsonObject given = Fields.optionalObject(body, "context");
    if (given == null) return FlagRoutes.subject(caller);
    for (String field : given.fieldNames()) {
      Check.that(CONTEXT_FIELDS.contains(field), "context." + field
          + " is not a context field (userId, role, brandId, creatorId, sessionId, remoteAddress, environment, "
          + "appName, currentTime, properties); custom fields go in context.properties");
    }
    String userId = text(given, "userId");
    String roleName = text(given, "role");
    Role role = null;
    if (roleName != null) {
      role = Role.parse(roleName);
      if (role == null) throw new BadInput("context.role '" + roleName + "' is not a role (" + Check.names(Role.class) + ")");
    }
    String brandId = text(given, "brandId");
    String creatorId = text(given, "creatorId");
    String sessionId = text(given, "sessionId");
    String remoteAddress = text(given, "remoteAddress");
    String environment = text(given, "environment");
    String appName = text(given, "appName");
    Instant currentTime = null;
    String time = text(given, "currentTime");
    if (time != null) {
      try {
        currentTime = OffsetDateTime.parse(time).toInstant();
      } catch (DateTimeParseException e) {
        throw new BadInput("context.currentTime must be an ISO-8601 time with a zone, e.g. 2030-01-31T09:00:00Z");
      }
    }
    JsonObject properties = Fields.optionalObject(given, "properties");
    @SuppressWarnings("unchecked")
    Map<String, Object> attributes = properties == null ? new HashMap<>()
        : new HashMap<>((Map<String, Object>) FlagJson.plain(properties));
    if (!mayGiveContext(caller)) {
      // Claims win: the token is the identity; the request may only add facts.
      attributes.putAll(caller.claims());
      return new EvaluationContext(caller.sub(), caller.role(), caller.brandId(), caller.creatorId(), attributes);
    }
    return new EvaluationContext(userId, role, brandId, creatorId, attributes, sessionId, remoteAddress,
        environment, appName, currentTime);
  }

  /** One evaluation's API shape: {@code {"flag", "enabled", "value", "variant", "reason", "errorCode"}}. */
  static JsonObject toJson(Evaluation e) {
    return new JsonObject()
        .put("flag", e.flag())
        .put("enabled", e.enabled())
        .put("value", FlagJson.json(e.value()))
        .put("variant", e.variant())
        .put("reason", e.reason().name())
        .put("errorCode", e.errorCode());
  }

  /** The bulk answer's {@code evaluations}, in the order asked (duplicates once), or every flag by name. */
  static JsonArray evaluateAll(FlagSnapshot snapshot, List<String> names, EvaluationContext context) {
    JsonArray out = new JsonArray();
    if (names == null) {
      for (Flag f : snapshot.flags()) out.add(toJson(FlagEvaluator.evaluate(snapshot, f.name(), context)));
      return out;
    }
    for (String name : new java.util.LinkedHashSet<>(names)) {
      out.add(toJson(FlagEvaluator.evaluate(snapshot, name, context)));
    }
    return out;
  }

  private static String text(JsonObject o, String field) {
    Object v = o.getValue(field);
    if (v == null) return null;
    if (v instanceof Number n && !"currentTime".equals(field)) return n.toString();
    if (!(v instanceof String s)) throw new BadInput("context." + field + " must be a string");
    Check.that(s.length() <= 1000, "context." + field + " must be at most 1000 characters");
    return s;
  }
}
