package dev.systemtables.flags;

import java.time.Instant;

/**
 * A feature flag, the one record of the entity: what the store reads, the evaluator evaluates and the API
 * shows. The JSON mapping is {@code FlagJson.toJson}; plain Java here, so the evaluator stays free of
 * Vert.x types.
 *
 * @param name              lowercase kebab-case, unique; also the bucketing group of the rollout
 * @param enabled           a disabled flag is false for everyone
 * @param rolloutPercentage 0–100: the share of matching callers (by bucket) that get true
 * @param conditions        targeting, null when the flag has none
 * @param createdAt         null for flags built outside the store (tests, benchmarks)
 */
public record Flag(String id, String name, boolean enabled, String description, int rolloutPercentage,
                   FlagConditions conditions, String createdBy, String updatedBy, Instant createdAt,
                   Instant updatedAt) {

  /** A flag as the evaluator needs it, without its bookkeeping. */
  public Flag(String id, String name, boolean enabled, int rolloutPercentage, FlagConditions conditions) {
    this(id, name, enabled, null, rolloutPercentage, conditions, null, null, null, null);
  }
}
