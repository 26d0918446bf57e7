package dev.systemtables.flags;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The targeting of a flag, validated and ready for evaluation. Every member is optional:
 * null means "not present", which is different from an empty list (a present empty list
 * matches nobody, exactly as API.md's step 2 reads).
 *
 * @param customConditions attribute name → expected value ({@link String}, {@link Boolean} or a
 *                         {@link java.math.BigDecimal} for numbers)
 */
public record FlagConditions(
    Set<String> userRoles,
    Set<String> brandIds,
    Set<String> creatorIds,
    Set<String> userIds,
    Map<String, Object> customConditions) {

  public FlagConditions {
    userRoles = userRoles == null ? null : Set.copyOf(userRoles);
    brandIds = brandIds == null ? null : Set.copyOf(brandIds);
    creatorIds = creatorIds == null ? null : Set.copyOf(creatorIds);
    userIds = userIds == null ? null : Set.copyOf(userIds);
    customConditions = customConditions == null ? null
        : Collections.unmodifiableMap(new LinkedHashMap<>(customConditions));
  }
}
