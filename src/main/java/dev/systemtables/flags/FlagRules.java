package dev.systemtables.flags;

import dev.systemtables.auth.Role;
import dev.systemtables.common.BadInput;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Validation of flag fields, as plain Java. Each check throws {@link BadInput} whose message names the
 * offending field (e.g. {@code conditions.userRoles[1]}); the HTTP layer turns it into a 400.
 * Conditions arrive as plain maps and lists (JSON already decoded).
 */
public final class FlagRules {

  public static final Pattern NAME = Pattern.compile("^[a-z0-9]+(-[a-z0-9]+)*$");
  public static final int MIN_NAME = 3;
  public static final int MAX_NAME = 100;
  public static final int MAX_DESCRIPTION = 500;
  /** Ids in condition lists follow the users directory's limit. */
  public static final int MAX_ID_LENGTH = 255;
  public static final int MAX_ATTRIBUTE_NAME = 100;

  /** The members {@code conditions} may have; anything else is a typo we refuse rather than ignore. */
  public static final Set<String> CONDITION_KEYS =
      Set.of("userRoles", "brandIds", "creatorIds", "userIds", "customConditions");

  private static final String ROLE_NAMES =
      Arrays.stream(Role.values()).map(Role::name).collect(Collectors.joining(", "));

  private FlagRules() {
  }

  public static void checkName(String name) {
    if (name == null) throw new BadInput("name is required");
    int length = name.length();
    if (length < MIN_NAME || length > MAX_NAME) {
      throw new BadInput("name must be " + MIN_NAME + "–" + MAX_NAME + " characters, got " + length);
    }
    if (!NAME.matcher(name).matches()) {
      throw new BadInput("name must be lowercase kebab-case (letters a-z, digits, single hyphens between them)");
    }
  }

  /** Null is allowed (no description). */
  public static void checkDescription(String description) {
    if (description != null && description.codePointCount(0, description.length()) > MAX_DESCRIPTION) {
      throw new BadInput("description must be at most " + MAX_DESCRIPTION + " characters");
    }
  }

  public static void checkRolloutPercentage(int percentage) {
    if (percentage < 0 || percentage > 100) {
      throw new BadInput("rolloutPercentage must be an integer from 0 to 100, got " + percentage);
    }
  }

  /**
   * Validates a {@code conditions} value (null, or a map from decoded JSON) and returns it ready for
   * evaluation; null in, null out.
   */
  public static FlagConditions conditions(Object raw) {
    if (raw == null) return null;
    if (!(raw instanceof Map<?, ?> map)) throw new BadInput("conditions must be an object");
    for (Object key : map.keySet()) {
      if (!CONDITION_KEYS.contains(String.valueOf(key))) {
        throw new BadInput("conditions." + key + " is not a known condition (userRoles, brandIds, creatorIds, "
            + "userIds, customConditions)");
      }
    }
    Set<String> roleNames = stringSet(map.get("userRoles"), "conditions.userRoles");
    Set<Role> roles = null;
    if (roleNames != null) {
      roles = new LinkedHashSet<>();
      int i = 0;
      for (Object r : (List<?>) map.get("userRoles")) {
        Role role = Role.parse(r);
        if (role == null) {
          throw new BadInput("conditions.userRoles[" + i + "] '" + r + "' is not a role (" + ROLE_NAMES + ")");
        }
        roles.add(role);
        i++;
      }
    }
    return new FlagConditions(
        roles,
        stringSet(map.get("brandIds"), "conditions.brandIds"),
        stringSet(map.get("creatorIds"), "conditions.creatorIds"),
        stringSet(map.get("userIds"), "conditions.userIds"),
        custom(map.get("customConditions")),
        raw);
  }

  private static Set<String> stringSet(Object raw, String field) {
    if (raw == null) return null;
    if (!(raw instanceof List<?> list)) throw new BadInput(field + " must be an array of strings");
    Set<String> out = new LinkedHashSet<>();
    for (int i = 0; i < list.size(); i++) {
      Object v = list.get(i);
      String at = field + "[" + i + "]";
      if (!(v instanceof String s)) throw new BadInput(at + " must be a string");
      if (s.isEmpty()) throw new BadInput(at + " must not be empty");
      if (s.length() > MAX_ID_LENGTH) throw new BadInput(at + " must be at most " + MAX_ID_LENGTH + " characters");
      out.add(s);
    }
    return out;
  }

  private static Map<String, Object> custom(Object raw) {
    if (raw == null) return null;
    String field = "conditions.customConditions";
    if (!(raw instanceof Map<?, ?> map)) throw new BadInput(field + " must be an object");
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      String name = String.valueOf(e.getKey());
      String at = field + "." + name;
      if (name.isEmpty() || name.length() > MAX_ATTRIBUTE_NAME) {
        throw new BadInput(field + " attribute names must be 1–" + MAX_ATTRIBUTE_NAME + " characters");
      }
      Object v = e.getValue();
      if (v instanceof String || v instanceof Boolean) {
        out.put(name, v);
      } else if (v instanceof Number n) {
        BigDecimal d = FlagEvaluator.decimal(n);
        if (d == null) throw new BadInput(at + " must be a finite number");
        out.put(name, d);
      } else {
        throw new BadInput(at + " must be a string, a number or a boolean");
      }
    }
    return out;
  }
}
