package dev.systemtables.flags;

import java.time.Instant;
import java.util.List;

/**
 * A feature flag, the one record of the entity: what the store reads, the evaluator evaluates and the API
 * shows. The JSON mapping is {@code FlagJson.toJson}; plain Java here, so the evaluator stays free of
 * Vert.x types.
 *
 * <p>Two kinds: a <em>legacy</em> flag ({@code rules == null}) is evaluated from {@code conditions} and
 * {@code rolloutPercentage} exactly as before; a <em>rule</em> flag ({@code rules != null}) from its rules,
 * variants and dependencies (then {@code conditions} is null and {@code rolloutPercentage} is ignored).
 *
 * @param name              lowercase kebab-case, unique; also the bucketing group of the rollout
 * @param enabled           a disabled flag is off for everyone
 * @param rolloutPercentage 0–100: the share of matching callers (by bucket) that get true (legacy flags)
 * @param conditions        targeting of a legacy flag, null when the flag has none
 * @param createdAt         null for flags built outside the store (tests, benchmarks)
 * @param type              the type of the variants' values; never null (BOOLEAN by default)
 * @param variants          the flag's weighted variants; never null (empty: none)
 * @param rules             null for a legacy flag; else the ordered rules (empty: on for everybody)
 * @param dependencies      parents that must be on/off; never null
 * @param defaultVariant    served when the flag is off or no rule matches; null means {@link Variant#OFF}
 *                          (allowed only for boolean flags)
 */
public record Flag(String id, String name, boolean enabled, String description, int rolloutPercentage,
                   FlagConditions conditions, String createdBy, String updatedBy, Instant createdAt,
                   Instant updatedAt, FlagType type, List<Variant> variants, List<Rule> rules,
                   List<Dependency> dependencies, Variant defaultVariant) {

  public Flag {
    type = type == null ? FlagType.BOOLEAN : type;
    variants = variants == null ? List.of() : List.copyOf(variants);
    rules = rules == null ? null : List.copyOf(rules);
    dependencies = dependencies == null ? List.of() : List.copyOf(dependencies);
  }

  /** A legacy boolean flag with its bookkeeping (the shape before typed flags). */
  public Flag(String id, String name, boolean enabled, String description, int rolloutPercentage,
              FlagConditions conditions, String createdBy, String updatedBy, Instant createdAt,
              Instant updatedAt) {
    this(id, name, enabled, description, rolloutPercentage, conditions, createdBy, updatedBy, createdAt, updatedAt,
        FlagType.BOOLEAN, List.of(), null, List.of(), null);
  }

  /** A legacy flag as the evaluator needs it, without its bookkeeping. */
  public Flag(String id, String name, boolean enabled, int rolloutPercentage, FlagConditions conditions) {
    this(id, name, enabled, null, rolloutPercentage, conditions, null, null, null, null);
  }

  /** A rule flag as the evaluator needs it, without its bookkeeping. */
  public static Flag ruled(String name, boolean enabled, FlagType type, List<Variant> variants, List<Rule> rules,
                           List<Dependency> dependencies, Variant defaultVariant) {
    return new Flag("id-" + name, name, enabled, null, 0, null, null, null, null, null, type, variants,
        rules == null ? List.of() : rules, dependencies, defaultVariant);
  }

  /** Whether the flag is a legacy flag (conditions + rollout) rather than a rule flag. */
  public boolean legacy() {
    return rules == null;
  }

  /** What the flag serves when off or when no rule matches: the default variant, else {@link Variant#OFF}. */
  public Variant offVariant() {
    return defaultVariant != null ? defaultVariant : Variant.OFF;
  }
}
