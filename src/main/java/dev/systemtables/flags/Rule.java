package dev.systemtables.flags;

import java.util.List;

/**
 * One rule of a flag (an Unleash "strategy"). A rule matches when all its constraints and all constraints of
 * all its segments hold and the caller's rollout bucket is within {@code rolloutPercentage}.
 *
 * @param constraints       ANDed; never null
 * @param segments          names of {@link Segment}s whose constraints are ANDed too; a missing segment makes
 *                          the rule match nobody; never null
 * @param rolloutPercentage 0–100; null means 100
 * @param groupId           the bucketing group; null means the flag name
 * @param stickiness        the field the rollout buckets on; null means {@code "default"} (userId, then sessionId,
 *                          then remoteAddress)
 * @param variants          the rule's own variants, which take precedence over the flag's; never null
 */
public record Rule(List<Constraint> constraints, List<String> segments, Integer rolloutPercentage,
                   String groupId, String stickiness, List<Variant> variants) {

  public Rule {
    constraints = constraints == null ? List.of() : List.copyOf(constraints);
    segments = segments == null ? List.of() : List.copyOf(segments);
    variants = variants == null ? List.of() : List.copyOf(variants);
  }

  /** A rule of these constraints for everybody who matches them (rollout 100, no variants). */
  public static Rule of(Constraint... constraints) {
    return new Rule(List.of(constraints), List.of(), null, null, null, List.of());
  }

  /** The rollout as a number, 100 when absent. */
  public int rollout() {
    return rolloutPercentage == null ? 100 : rolloutPercentage;
  }
}
