package dev.systemtables.flags;

import dev.systemtables.auth.Role;

import java.util.Map;

/**
 * Who a flag is evaluated for.
 *
 * @param userId     the caller's id (token {@code sub}); the rollout buckets on it
 * @param role       the caller's role, matched against {@code userRoles}
 * @param brandId    null when the caller has none: then no {@code brandIds} list matches
 * @param creatorId  null when the caller has none: then no {@code creatorIds} list matches
 * @param attributes what {@code customConditions} compare with: token claims plus attributes
 *                   given in the request (the HTTP layer lets claims win, so a request cannot
 *                   pose as another tenant)
 */
public record EvaluationContext(String userId, Role role, String brandId, String creatorId,
                                Map<String, Object> attributes) {

  public EvaluationContext {
    attributes = attributes == null ? Map.of() : attributes;
  }
}
