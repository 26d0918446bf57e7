package dev.systemtables.flags;

/**
 * A feature flag as the evaluator sees it: plain Java, immutable.
 *
 * @param id                service-generated id (UUIDv7 text)
 * @param name              lowercase kebab-case, unique; also the bucketing group of the rollout
 * @param enabled           a disabled flag is false for everyone
 * @param rolloutPercentage 0–100: the share of matching callers (by bucket) that get true
 * @param conditions        targeting, null when the flag has none
 */
public record Flag(String id, String name, boolean enabled, int rolloutPercentage, FlagConditions conditions) {
}
