package dev.systemtables.flags;

import dev.systemtables.auth.Role;

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
 * @param source           the conditions exactly as written (decoded JSON), what the API shows; null when
 *                         built in code, then {@link #asWritten()} rebuilds it from the members
 */
public record FlagConditions(
    Set<Role> userRoles,
    Set<String> brandIds,
    Set<String> creatorIds,
    Set<String> userIds,
    Map<String, Object> customConditions,
    Object source) {

  public FlagConditions {
    userRoles = userRoles == null ? null : Set.copyOf(userRoles);
    brandIds = brandIds == null ? null : Set.copyOf(brandIds);
    creatorIds = creatorIds == null ? null : Set.copyOf(creatorIds);
    userIds = userIds == null ? null : Set.copyOf(userIds);
    customConditions = customConditions == null ? null
        : Collections.unmodifiableMap(new LinkedHashMap<>(customConditions));
  }

  public FlagConditions(Set<Role> userRoles, Set<String> brandIds, Set<String> creatorIds, Set<String> userIds,
                        Map<String, Object> customConditions) {
    this(userRoles, brandIds, creatorIds, userIds, customConditions, null);
  }

  /**
   * Conditions stored around the service that cannot be read (e.g. written by hand in SQL): shown as they
   * are, matching nobody, so such a flag fails closed instead of being guessed at.
   */
  public static FlagConditions unreadable(Object source) {
    return new FlagConditions(Set.of(), null, null, null, null, source);
  }

  /** The conditions as written: the source, or the members as decoded JSON would hold them. */
  public Object asWritten() {
    if (source != null) return source;
    Map<String, Object> m = new LinkedHashMap<>();
    if (userRoles != null) m.put("userRoles", userRoles.stream().map(Role::name).sorted().toList());
    if (brandIds != null) m.put("brandIds", brandIds.stream().sorted().toList());
    if (creatorIds != null) m.put("creatorIds", creatorIds.stream().sorted().toList());
    if (userIds != null) m.put("userIds", userIds.stream().sorted().toList());
    if (customConditions != null) m.put("customConditions", customConditions);
    return m;
  }
}
