package dev.systemtables.ofrep;

import dev.systemtables.auth.Caller;
import dev.systemtables.auth.Role;
import dev.systemtables.common.StrictJson;
import dev.systemtables.common.Text;
import dev.systemtables.flags.EvaluationContext;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Whom an OFREP request is evaluated for: its body {@code {"context": {"targetingKey", ...attributes}}} read
 * together with the caller's token. Pure: no Vert.x I/O.
 * <ul>
 *   <li>An {@code ADMIN} or {@code SERVICE} token evaluates the context it sends: {@code targetingKey} is the
 *   user id (required: {@code TARGETING_KEY_MISSING} without it), {@code role}, {@code brandId} and
 *   {@code creatorId} are the user's, {@code sessionId}, {@code remoteAddress}, {@code environment},
 *   {@code appName} and {@code currentTime} (ISO-8601) the evaluator's context fields, and every member is an
 *   attribute custom conditions and constraints may compare.</li>
 *   <li>Any other token evaluates its own claims, whatever the context says: the {@link #IDENTITY} members of the
 *   context are ignored, the token's claims are the identity, and the other members are extra attributes (claims
 *   win over a same-named one),
 *   exactly as {@code POST /api/v1/flags/evaluate} treats its {@code context}.</li>
 * </ul>
 */
final class OfrepContext {

  /**
   * Context members a user token cannot set: its identity (its own claims decide these) and the evaluator's
   * context fields (session, address, environment, application, time), so a user never evaluates as someone
   * else, elsewhere or at another time.
   */
  static final Set<String> IDENTITY = Set.of("targetingKey", "sub", "userId", "role", "brandId", "creatorId",
      "sessionId", "remoteAddress", "environment", "appName", "currentTime");

  private static final String ROLE_NAMES = Arrays.stream(Role.values()).map(Role::name).collect(Collectors.joining(", "));

  private OfrepContext() {
  }

  /** Whether this caller may evaluate a context other than its own claims. */
  static boolean evaluatesGivenContext(Caller caller) {
    return caller.role() == Role.ADMIN || caller.role() == Role.SERVICE;
  }

  /**
   * Reads a request body (possibly empty: the same as {@code {}}) for this caller.
   *
   * @throws OfrepError 400 with {@code PARSE_ERROR} (not JSON, not an object), {@code INVALID_CONTEXT} (a context
   *                    that is not an object, or a member of the wrong type) or {@code TARGETING_KEY_MISSING}
   */
  static EvaluationContext read(byte[] body, Caller caller) {
    JsonObject request = body(body);
    Object context = request.getValue("context");
    if (context != null && !(context instanceof JsonObject)) {
      throw OfrepError.badRequest(OfrepError.INVALID_CONTEXT, "context must be a JSON object");
    }
    JsonObject given = context == null ? new JsonObject() : (JsonObject) context;
    return evaluatesGivenContext(caller) ? given(given) : own(caller, given);
  }

  private static JsonObject body(byte[] raw) {
    if (isBlank(raw)) return new JsonObject();
    Object parsed;
    try {
      parsed = StrictJson.parse(raw);
    } catch (StrictJson.Invalid e) {
      boolean inContext = e.path().equals("context") || e.path().startsWith("context.") || e.path().startsWith("context[");
      throw OfrepError.badRequest(!e.syntax() && inContext ? OfrepError.INVALID_CONTEXT : OfrepError.PARSE_ERROR,
          e.describe("the body"));
    }
    if (!(parsed instanceof JsonObject o)) {
      throw OfrepError.badRequest(OfrepError.PARSE_ERROR, "the body must be a JSON object {\"context\": {...}}");
    }
    return o;
  }

  /** An ADMIN's or SERVICE's request: the context names the user. */
  private static EvaluationContext given(JsonObject context) {
    Object key = context.getValue("targetingKey");
    if (key == null || (key instanceof String s && s.isEmpty())) {
      throw OfrepError.badRequest(OfrepError.TARGETING_KEY_MISSING,
          "context.targetingKey is missing: an ADMIN or SERVICE token evaluates the context it sends, "
              + "for the user whose id is its targetingKey");
    }
    if (!(key instanceof String userId)) {
      throw OfrepError.badRequest(OfrepError.INVALID_CONTEXT, "context.targetingKey must be a string");
    }
    String problem = Text.identifierProblem(userId);
    if (problem != null) throw OfrepError.badRequest(OfrepError.INVALID_CONTEXT, "context.targetingKey " + problem);
    Role role = null;
    Object r = context.getValue("role");
    if (r != null) {
      role = Role.parse(r);
      if (role == null) {
        throw OfrepError.badRequest(OfrepError.INVALID_CONTEXT,
            "context.role " + (r instanceof String ? "'" + r + "' " : "") + "is not a role (" + ROLE_NAMES + ")");
      }
    }
    Map<String, Object> attributes = plainObject(context);
    attributes.put("sub", userId);
    Instant currentTime = null;
    Object time = context.getValue("currentTime");
    if (time != null) {
      try {
        currentTime = OffsetDateTime.parse(String.valueOf(time)).toInstant();
      } catch (DateTimeParseException e) {
        throw OfrepError.badRequest(OfrepError.INVALID_CONTEXT,
            "context.currentTime must be an ISO-8601 time with a zone, e.g. 2030-01-31T09:00:00Z");
      }
    }
    return new EvaluationContext(userId, role, id(context, "brandId"), id(context, "creatorId"), attributes,
        id(context, "sessionId"), id(context, "remoteAddress"), id(context, "environment"), id(context, "appName"),
        currentTime);
  }

  /** Any other caller: its claims, plus the context's other members as extra attributes. */
  private static EvaluationContext own(Caller caller, JsonObject context) {
    Map<String, Object> attributes = plainObject(context);
    attributes.keySet().removeAll(IDENTITY);
    attributes.putAll(caller.claims());
    attributes.put("targetingKey", caller.sub());
    return new EvaluationContext(caller.sub(), caller.role(), caller.brandId(), caller.creatorId(), attributes);
  }

  /** An optional id member: absent or null is none; a string or a number is the id. */
  private static String id(JsonObject context, String name) {
    Object v = context.getValue(name);
    if (v == null) return null;
    if (!(v instanceof String) && !(v instanceof Number)) {
      throw OfrepError.badRequest(OfrepError.INVALID_CONTEXT, "context." + name + " must be a string");
    }
    return String.valueOf(v);
  }

  private static Map<String, Object> plainObject(JsonObject o) {
    Map<String, Object> m = new HashMap<>();
    o.forEach(e -> m.put(e.getKey(), plain(e.getValue())));
    return m;
  }

  /** Decoded JSON as plain maps, lists and scalars, as flag conditions compare them. */
  private static Object plain(Object value) {
    if (value instanceof JsonObject o) {
      Map<String, Object> m = new LinkedHashMap<>();
      o.forEach(e -> m.put(e.getKey(), plain(e.getValue())));
      return m;
    }
    if (value instanceof JsonArray a) {
      List<Object> l = new ArrayList<>(a.size());
      a.forEach(v -> l.add(plain(v)));
      return l;
    }
    return value;
  }

  private static boolean isBlank(byte[] raw) {
    if (raw == null) return true;
    for (byte b : raw) {
      if (b != ' ' && b != '\t' && b != '\n' && b != '\r') return false;
    }
    return true;
  }
}
