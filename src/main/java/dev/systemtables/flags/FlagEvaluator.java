package dev.systemtables.flags;

import java.math.BigDecimal;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Flag evaluation exactly as API.md orders it:
 * <ol>
 *   <li>unknown or disabled flag → false;</li>
 *   <li>each present list among {@code userRoles}, {@code brandIds}, {@code creatorIds} must contain
 *   the caller's value; a caller without that attribute does not match;</li>
 *   <li>each {@code customConditions} entry must equal the same-named context attribute; missing → no match;</li>
 *   <li>a caller listed in {@code userIds} → true, skipping the rollout;</li>
 *   <li>rollout: true when {@link Bucketing#bucket} ≤ {@code rolloutPercentage}.</li>
 * </ol>
 * Pure and allocation-light: it runs for every flag on every page view.
 */
public final class FlagEvaluator {

  private FlagEvaluator() {
  }

  /** Whether {@code flag} (null when unknown) is on for this caller. */
  public static boolean isEnabled(Flag flag, EvaluationContext caller) {
    if (flag == null || !flag.enabled()) return false;
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
    return isEnabled(snapshot.get(name), caller);
  }

  /** Every flag of the snapshot for this caller, ordered by name. */
  public static Map<String, Boolean> evaluateAll(FlagSnapshot snapshot, EvaluationContext caller) {
    Map<String, Boolean> out = new LinkedHashMap<>(Math.max(16, snapshot.size() * 2));
    for (Flag f : snapshot.flags()) {
      out.put(f.name(), isEnabled(f, caller));
    }
    return out;
  }

  /** The named flags (in the order given, duplicates once) for this caller; unknown names are false. */
  public static Map<String, Boolean> evaluate(FlagSnapshot snapshot, Collection<String> names, EvaluationContext caller) {
    Map<String, Boolean> out = new LinkedHashMap<>(Math.max(16, names.size() * 2));
    for (String name : names) {
      out.computeIfAbsent(name, n -> isEnabled(snapshot.get(n), caller));
    }
    return out;
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
