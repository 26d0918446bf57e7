package dev.systemtables.ofrep;

import dev.systemtables.flags.Evaluation;
import dev.systemtables.flags.EvaluationContext;
import dev.systemtables.flags.Flag;
import dev.systemtables.flags.FlagConditions;
import dev.systemtables.flags.FlagEvaluator;
import dev.systemtables.flags.FlagSnapshot;
import dev.systemtables.flags.Reason;
import dev.systemtables.flags.Rule;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * OFREP answers from a {@link FlagSnapshot}, by {@link FlagEvaluator#evaluate}: pure, no I/O. An evaluation is
 * {@code {"key", "value", "variant", "reason", "metadata": {}}}, always with a value (the server providers treat a
 * missing one as an error).
 *
 * <p>Values keep the flag's type: a boolean, a string, a number (an integral one — {@code 3}, {@code 3.0} — as a
 * JSON integer, any other as a float, since the Java provider reads {@code 1} as an Integer and {@code 1.5} as a
 * Double) or a JSON value. Reasons stay within OFREP's set:
 * <ul>
 *   <li>{@code STATIC}, {@code TARGETING_MATCH}, {@code SPLIT}, {@code DISABLED}: as the evaluator says;</li>
 *   <li>the evaluator's {@code DEFAULT} (no rule or condition let the user in: the default variant) names what
 *   decided instead: {@code SPLIT} when the flag has a rollout strictly between 0 and 100 %, else
 *   {@code TARGETING_MATCH} when it has conditions, constraints or segments, else {@code STATIC};</li>
 *   <li>{@code ERROR}: {@code FLAG_NOT_FOUND} is a 404 (single) or absent (bulk lists the snapshot's flags); any
 *   other is an error item {@code {"key", "errorCode", "errorDetails"}} (bulk) or a 400 (single).</li>
 * </ul>
 */
final class OfrepEvaluations {

  private OfrepEvaluations() {
  }

  /** The named flag for this context. @throws OfrepError 404 {@code FLAG_NOT_FOUND}, or 400 for another error */
  static JsonObject one(FlagSnapshot snapshot, String key, EvaluationContext context) {
    Evaluation e = FlagEvaluator.evaluate(snapshot, key, context);
    if (e.reason() == Reason.ERROR) {
      if ("FLAG_NOT_FOUND".equals(e.errorCode())) throw OfrepError.notFound(key);
      throw OfrepError.badRequest(errorCode(e), details(e));
    }
    return answer(snapshot.get(key), e);
  }

  /** Every flag of the snapshot for this context, ordered by name: the bulk answer's body. */
  static JsonObject all(FlagSnapshot snapshot, EvaluationContext context) {
    JsonArray flags = new JsonArray();
    for (Flag flag : snapshot.flags()) {
      Evaluation e = FlagEvaluator.evaluate(snapshot, flag.name(), context);
      flags.add(e.reason() == Reason.ERROR
          ? new JsonObject().put("key", flag.name()).put("errorCode", errorCode(e)).put("errorDetails", details(e))
              .put("metadata", new JsonObject())
          : answer(flag, e));
    }
    return new JsonObject().put("flags", flags).put("metadata", new JsonObject());
  }

  private static JsonObject answer(Flag flag, Evaluation e) {
    return new JsonObject()
        .put("key", flag.name())
        .put("value", json(e.value()))
        .put("variant", e.variant())
        .put("reason", reason(flag, e.reason()))
        .put("metadata", new JsonObject());
  }

  /** The OFREP reason for an evaluator reason (see the class comment). */
  static String reason(Flag flag, Reason reason) {
    if (reason != Reason.DEFAULT) return reason.name();
    if (hasSplit(flag)) return Reason.SPLIT.name();
    return targets(flag) ? Reason.TARGETING_MATCH.name() : Reason.STATIC.name();
  }

  private static boolean hasSplit(Flag flag) {
    if (flag.rules() == null) return flag.rolloutPercentage() > 0 && flag.rolloutPercentage() < 100;
    for (Rule r : flag.rules()) {
      Integer p = r.rolloutPercentage();
      if (p != null && p > 0 && p < 100) return true;
    }
    return false;
  }

  private static boolean targets(Flag flag) {
    if (flag.rules() == null) {
      FlagConditions c = flag.conditions();
      return c != null && (c.userRoles() != null || c.brandIds() != null || c.creatorIds() != null
          || c.userIds() != null || (c.customConditions() != null && !c.customConditions().isEmpty()));
    }
    for (Rule r : flag.rules()) {
      if (!r.constraints().isEmpty() || !r.segments().isEmpty()) return true;
    }
    return false;
  }

  private static String errorCode(Evaluation e) {
    String code = e.errorCode();
    return code != null && List.of(OfrepError.TARGETING_KEY_MISSING, OfrepError.INVALID_CONTEXT, OfrepError.PARSE_ERROR)
        .contains(code) ? code : OfrepError.GENERAL;
  }

  private static String details(Evaluation e) {
    return "flag '" + e.flag() + "' could not be evaluated" + (e.errorCode() == null ? "" : ": " + e.errorCode());
  }

  /**
   * A flag value as JSON: numbers integral by value become integers (a long, or a big integer beyond it), any
   * other a double; maps and lists recursively; booleans and strings as they are.
   */
  static Object json(Object value) {
    if (value instanceof BigDecimal d) {
      BigDecimal stripped = d.stripTrailingZeros();
      if (stripped.scale() <= 0) {
        BigInteger integral = stripped.toBigIntegerExact();
        return integral.bitLength() < 64 ? (Object) integral.longValue() : integral;
      }
      return d.doubleValue();
    }
    if (value instanceof Double || value instanceof Float) {
      double v = ((Number) value).doubleValue();
      return v == Math.rint(v) && !Double.isInfinite(v) && Math.abs(v) < 9.0e15 ? json(BigDecimal.valueOf(v)) : value;
    }
    if (value instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, v) -> out.put(String.valueOf(k), json(v)));
      return new JsonObject(out);
    }
    if (value instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      l.forEach(v -> out.add(json(v)));
      return new JsonArray(out);
    }
    return value;
  }
}
