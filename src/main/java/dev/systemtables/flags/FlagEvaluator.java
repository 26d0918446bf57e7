package dev.systemtables.flags;

import java.math.BigDecimal;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Flag evaluation. A <em>legacy</em> flag ({@code rules == null}) is evaluated exactly as API.md orders it:
 * <ol>
 *   <li>unknown or disabled flag → false;</li>
 *   <li>each present list among {@code userRoles}, {@code brandIds}, {@code creatorIds} must contain
 *   the caller's value; a caller without that attribute does not match;</li>
 *   <li>each {@code customConditions} entry must equal the same-named context attribute; missing → no match;</li>
 *   <li>a caller listed in {@code userIds} → true, skipping the rollout;</li>
 *   <li>rollout: true when {@link Bucketing#bucket} ≤ {@code rolloutPercentage}.</li>
 * </ol>
 * A <em>rule</em> flag is evaluated by {@link #evaluate(FlagSnapshot, String, EvaluationContext)} with Unleash's
 * semantics (rules = strategies, constraints, segments, variants, dependencies; see there), and
 * {@code isEnabled} of a rule flag is that evaluation's {@code enabled}.
 * Pure and allocation-light: it runs for every flag on every page view.
 */
public final class FlagEvaluator {

  private FlagEvaluator() {
  }

  /**
   * Whether {@code flag} (null when unknown) is on for this caller. A flag given alone (not in a snapshot) has no
   * segments and no parents: rules naming a segment do not match and dependencies are
   * never satisfied here. Use the snapshot forms for flags of a snapshot.
   */
  public static boolean isEnabled(Flag flag, EvaluationContext caller) {
    if (flag == null || !flag.enabled()) return false;
    if (flag.rules() != null || !flag.dependencies().isEmpty()) {
      return evaluate(FlagSnapshot.of(List.of(flag), java.time.Instant.EPOCH), flag.name(), caller).enabled();
    }
    return legacyOn(flag, caller);
  }

  /** Steps 2–5 of a legacy flag (enabled, dependencies already checked). */
  private static boolean legacyOn(Flag flag, EvaluationContext caller) {
    FlagConditions c = flag.conditions();
    if (c != null) {
      if (c.userRoles() != null && (caller.role() == null || !c.userRoles().contains(caller.role()))) return false;
      if (!listed(c.brandIds(), caller.brandId())) return false;
      if (!listed(c.creatorIds(), caller.creatorId())) return false;
      if (c.customConditions() != null) {
        for (Map.Entry<String, Object> e : c.customConditions().entrySet()) {
          if (!sameValue(e.getValue(), caller.attributes().get(e.getKey()))) return false;
        }
      }
      if (c.userIds() != null && caller.userId() != null && c.userIds().contains(caller.userId())) return true;
    }
    int percentage = flag.rolloutPercentage();
    // Buckets run 1..100, so these two need no hash (and give the same answer as one).
    if (percentage <= 0) return false;
    if (percentage >= 100) return true;
    if (caller.userId() == null) return false;
    return Bucketing.bucket(flag.name(), caller.userId()) <= percentage;
  }

  /** The named flag in a snapshot; unknown names are false. */
  public static boolean isEnabled(FlagSnapshot snapshot, String name, EvaluationContext caller) {
    Flag flag = snapshot.get(name);
    if (flag == null || simple(flag)) return isEnabled(flag, caller);
    return evaluate(snapshot, name, caller).enabled();
  }

  /**
   * A flag of this snapshot for this caller, without looking its name up when it is a simple legacy flag (the
   * loop of {@code GET /flags/enabled}); a rule flag or one with dependencies is evaluated with the snapshot's
   * segments and parents.
   */
  public static boolean isEnabled(FlagSnapshot snapshot, Flag flag, EvaluationContext caller) {
    if (flag == null || simple(flag)) return isEnabled(flag, caller);
    return evaluate(snapshot, flag.name(), caller).enabled();
  }

  /** Every flag of the snapshot for this caller, ordered by name. */
  public static Map<String, Boolean> evaluateAll(FlagSnapshot snapshot, EvaluationContext caller) {
    Map<String, Boolean> out = new LinkedHashMap<>(Math.max(16, snapshot.size() * 2));
    for (Flag f : snapshot.flags()) {
      out.put(f.name(), isEnabled(snapshot, f, caller));
    }
    return out;
  }

  /** The named flags (in the order given, duplicates once) for this caller; unknown names are false. */
  public static Map<String, Boolean> evaluate(FlagSnapshot snapshot, Collection<String> names, EvaluationContext caller) {
    Map<String, Boolean> out = new LinkedHashMap<>(Math.max(16, names.size() * 2));
    for (String name : names) {
      out.computeIfAbsent(name, n -> isEnabled(snapshot, n, caller));
    }
    return out;
  }

  /**
   * The full answer of the named flag for this caller:
   * <ol>
   *   <li>unknown flag → {@code ERROR}/{@code FLAG_NOT_FOUND}, not enabled, no value;</li>
   *   <li>disabled flag → {@code DISABLED} with the default variant;</li>
   *   <li>a dependency not satisfied → {@code DISABLED} with the default variant. As in Unleash, a dependency on
   *   parent P holds when P exists and has no dependencies of its own (Unleash evaluates one level only, which
   *   also makes cycles harmless), and P is on (optionally with one of the listed variants) or, for
   *   {@code enabled: false}, off;</li>
   *   <li>legacy flag → as {@link #isEnabled(Flag, EvaluationContext)}; on: {@code true}/"on" with reason
   *   {@code SPLIT} when a rollout between 0 and 100 let the caller in, else {@code TARGETING_MATCH} when the
   *   flag has conditions, else {@code STATIC}; off: the default variant with reason {@code DEFAULT};</li>
   *   <li>rule flag without rules → on for everybody;</li>
   *   <li>otherwise the first rule whose constraints and segments' constraints all hold and whose rollout takes
   *   the caller (Unleash's flexibleRollout: bucket of {@code "<groupId>:<stickiness value>"}; default stickiness
   *   userId, then sessionId, else random) decides;</li>
   *   <li>its variant: the rule's variants, else the flag's, chosen as Unleash's {@code selectVariantDefinition}
   *   (overrides first, then murmur3 seed 86028157 of {@code "<groupId>:<seed>"} % total weight + 1); without
   *   variants a boolean flag answers {@code true}/"on", another the default variant. Reason {@code SPLIT} when a
   *   weighted choice among two or more variants or a rollout below 100 % decided, else {@code TARGETING_MATCH}
   *   when the rule has constraints or segments, else {@code STATIC};</li>
   *   <li>no rule matched → {@code DEFAULT} with the default variant.</li>
   * </ol>
   */
  public static Evaluation evaluate(FlagSnapshot snapshot, String name, EvaluationContext caller) {
    Flag flag = snapshot.get(name);
    if (flag == null) return Evaluation.notFound(name);
    if (!flag.enabled()) return Evaluation.of(flag.name(), false, flag.offVariant(), Reason.DISABLED);
    List<Dependency> dependencies = flag.dependencies();
    for (int i = 0; i < dependencies.size(); i++) {
      if (!satisfied(snapshot, dependencies.get(i), caller)) {
        return Evaluation.of(flag.name(), false, flag.offVariant(), Reason.DISABLED);
      }
    }
    if (flag.legacy()) return legacy(flag, caller);
    CompiledFlag compiled = snapshot.compiled(name);
    return compiled.evaluateRules(caller);
  }

  /** A legacy flag without dependencies: the fast path answers it alone. */
  private static boolean simple(Flag f) {
    return f.rules() == null && f.dependencies().isEmpty();
  }

  private static boolean satisfied(FlagSnapshot snapshot, Dependency dependency, EvaluationContext caller) {
    Flag parent = snapshot.get(dependency.flag());
    if (parent == null || !parent.dependencies().isEmpty()) return false;
    Evaluation p = evaluate(snapshot, parent.name(), caller);
    if (!dependency.enabled()) return !p.enabled();
    if (dependency.variants().isEmpty()) return p.enabled();
    return p.enabled() && dependency.variants().contains(p.variant());
  }

  private static Evaluation legacy(Flag flag, EvaluationContext caller) {
    if (!legacyOn(flag, caller)) return Evaluation.of(flag.name(), false, flag.offVariant(), Reason.DEFAULT);
    FlagConditions c = flag.conditions();
    boolean listed = c != null && c.userIds() != null && caller.userId() != null
        && c.userIds().contains(caller.userId());
    int p = flag.rolloutPercentage();
    Reason reason = !listed && p > 0 && p < 100 ? Reason.SPLIT : c != null ? Reason.TARGETING_MATCH : Reason.STATIC;
    return Evaluation.of(flag.name(), true, Variant.ON, reason);
  }

  /** A present list must contain the caller's value; an absent list restricts nothing. */
  private static boolean listed(Set<String> allowed, String value) {
    return allowed == null || (value != null && allowed.contains(value));
  }

  /**
   * JSON equality of a condition and an attribute: strings and booleans exactly, numbers by value
   * (so {@code 3} equals {@code 3.0}); a missing attribute or another type never matches.
   */
  static boolean sameValue(Object expected, Object actual) {
    if (actual == null) return false;
    if (expected instanceof BigDecimal number) {
      if (!(actual instanceof Number n)) return false;
      BigDecimal given = decimal(n);
      return given != null && given.compareTo(number) == 0;
    }
    return expected.equals(actual);
  }

  static BigDecimal decimal(Number n) {
    if (n instanceof BigDecimal d) return d;
    if (n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte) {
      return BigDecimal.valueOf(n.longValue());
    }
    try {
      return new BigDecimal(n.toString());
    } catch (NumberFormatException e) {
      return null; // NaN, infinities
    }
  }
}
