package dev.systemtables.ofrep;

import dev.systemtables.flags.EvaluationContext;
import dev.systemtables.flags.Flag;
import dev.systemtables.flags.FlagConditions;
import dev.systemtables.flags.FlagEvaluator;
import dev.systemtables.flags.FlagSnapshot;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * OFREP answers from a {@link FlagSnapshot}: pure, no I/O. An evaluation is
 * {@code {"key", "value", "variant", "reason", "metadata": {}}}, always with a value (the providers treat a
 * missing one as an error, or as the code default).
 *
 * <p>Flags are boolean today: {@code value} true with variant {@code on}, or false with variant {@code off}.
 * Reasons, within OFREP's set (STATIC, TARGETING_MATCH, SPLIT, DISABLED):
 * <ul>
 *   <li>{@code DISABLED}: the flag is off for everybody;</li>
 *   <li>{@code TARGETING_MATCH}: the flag has conditions, so they decided (on or off);</li>
 *   <li>{@code SPLIT}: no conditions and a rollout strictly between 0 and 100 %, so the user's bucket decided;</li>
 *   <li>{@code STATIC}: no conditions and a rollout of 0 or 100 %: the same answer for everybody.</li>
 * </ul>
 */
final class OfrepEvaluations {

  static final String STATIC = "STATIC";
  static final String TARGETING_MATCH = "TARGETING_MATCH";
  static final String SPLIT = "SPLIT";
  static final String DISABLED = "DISABLED";

  private OfrepEvaluations() {
  }

  /** The named flag for this context. @throws OfrepError 404 {@code FLAG_NOT_FOUND} when there is none */
  static JsonObject one(FlagSnapshot snapshot, String key, EvaluationContext context) {
    Flag flag = snapshot.get(key);
    if (flag == null) throw OfrepError.notFound(key);
    return evaluate(flag, context);
  }

  /** Every flag of the snapshot for this context, ordered by name: the bulk answer's body. */
  static JsonObject all(FlagSnapshot snapshot, EvaluationContext context) {
    JsonArray flags = new JsonArray();
    for (Flag flag : snapshot.flags()) flags.add(evaluate(flag, context));
    return new JsonObject().put("flags", flags).put("metadata", new JsonObject());
  }

  static JsonObject evaluate(Flag flag, EvaluationContext context) {
    boolean on = FlagEvaluator.isEnabled(flag, context);
    return new JsonObject()
        .put("key", flag.name())
        .put("value", on)
        .put("variant", on ? "on" : "off")
        .put("reason", reason(flag))
        .put("metadata", new JsonObject());
  }

  /** What decided a flag's answer (the same whether it came out on or off). */
  static String reason(Flag flag) {
    if (!flag.enabled()) return DISABLED;
    if (targets(flag.conditions())) return TARGETING_MATCH;
    int rollout = flag.rolloutPercentage();
    return rollout > 0 && rollout < 100 ? SPLIT : STATIC;
  }

  private static boolean targets(FlagConditions c) {
    return c != null && (c.userRoles() != null || c.brandIds() != null || c.creatorIds() != null
        || c.userIds() != null || (c.customConditions() != null && !c.customConditions().isEmpty()));
  }
}
