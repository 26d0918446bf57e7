package dev.systemtables.flags;

import dev.systemtables.auth.Role;
import dev.systemtables.common.BadInput;
import dev.systemtables.common.Check;

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

  // ---- the flag model (types, variants, rules, dependencies) ----------------------------------------------

  /**
   * A variant value checked against the flag type (plain decoded JSON in): a boolean, a string, a finite number
   * (returned as {@link BigDecimal}) or, for {@code json}, any JSON value but null.
   */
  public static Object value(Object raw, FlagType type, String at) {
    if (raw == null) throw new BadInput(at + " is required (a " + type.json() + ")");
    switch (type) {
      case BOOLEAN -> {
        if (raw instanceof Boolean) return raw;
        throw new BadInput(at + " must be a boolean (the flag's type)");
      }
      case STRING -> {
        if (raw instanceof String s) {
          if (s.length() > MAX_STRING_VALUE) throw new BadInput(at + " must be at most " + MAX_STRING_VALUE + " characters");
          return s;
        }
        throw new BadInput(at + " must be a string (the flag's type)");
      }
      case NUMBER -> {
        BigDecimal d = raw instanceof Number n ? FlagEvaluator.decimal(n) : null;
        if (d == null) throw new BadInput(at + " must be a finite number (the flag's type)");
        return d;
      }
      default -> {
        return raw;
      }
    }
  }

  /** The longest string value of a variant. */
  public static final int MAX_STRING_VALUE = 10_000;

  /**
   * Checks the operands of constraints the evaluator would otherwise treat as never true: a NUM_* value that is
   * not a number, a DATE_* value that is not an ISO-8601 date, a SEMVER_* value that is not a strict semantic
   * version, a REGEX that does not compile, an IN_CIDR value that is neither an address nor a range. Throws
   * {@link BadInput} naming e.g. {@code rules[0].constraints[1].value}.
   */
  public static void checkOperands(List<Constraint> constraints, String field) {
    for (int i = 0; i < constraints.size(); i++) {
      String problem = operandProblem(constraints.get(i));
      if (problem != null) throw new BadInput(field + "[" + i + "]." + problem);
    }
  }

  /** What is wrong with a constraint's operands ({@code "value must be …"}), or null when they are usable. */
  public static String operandProblem(Constraint c) {
    if (c.operator() == null) return "operator is not an operator (" + Check.names(Operator.class) + ")";
    switch (c.operator()) {
      case NUM_EQ, NUM_GT, NUM_GTE, NUM_LT, NUM_LTE -> {
        double n = CompiledConstraint.jsNumber(c.value());
        if (c.value() == null || Double.isNaN(n) || c.value().isBlank()) return "value must be a number, e.g. \"12.5\"";
      }
      case DATE_AFTER, DATE_BEFORE -> {
        if (CompiledConstraint.date(c.value()) == null) {
          return "value must be an ISO-8601 date-time, e.g. \"2025-01-31T12:00:00Z\"";
        }
      }
      case SEMVER_EQ, SEMVER_GT, SEMVER_GTE, SEMVER_LT, SEMVER_LTE -> {
        if (CompiledConstraint.semver(c.value()) == null) {
          return "value must be a semantic version without a leading v, e.g. \"1.4.0\" or \"2.0.0-rc.1\"";
        }
      }
      case REGEX -> {
        for (int j = 0; j < c.values().size(); j++) {
          if (CompiledConstraint.pattern(c.values().get(j), false) == null) {
            return "values[" + j + "] is not a valid regular expression";
          }
        }
      }
      case IN_CIDR -> {
        for (int j = 0; j < c.values().size(); j++) {
          if (CompiledConstraint.cidr(c.values().get(j).trim()) == null) {
            return "values[" + j + "] must be an IP address or a CIDR range, e.g. \"10.0.0.0/8\"";
          }
        }
      }
      default -> {
      }
    }
    return null;
  }

  /**
   * Whole-flag consistency, for a create and after a PATCH is applied: a flag with rules has no conditions;
   * every variant value has the flag's type; a non-boolean flag has a default variant; a flag does not depend on
   * itself. Throws {@link BadInput} naming the field.
   */
  public static void check(Flag f) {
    check(f.name(), f.type(), f.conditions(), f.variants(), f.rules(), f.dependencies(), f.defaultVariant());
  }

  /** {@link #check(Flag)} for a flag to create. */
  public static void check(NewFlag f) {
    check(f.name(), f.type(), f.conditions(), f.variants(), f.rules(), f.dependencies(), f.defaultVariant());
  }

  private static void check(String name, FlagType type, FlagConditions conditions, List<Variant> variants,
                            List<Rule> rules, List<Dependency> dependencies, Variant defaultVariant) {
    if (rules != null && conditions != null) {
      throw new BadInput("conditions: a flag with rules has no conditions (express them as rule constraints)");
    }
    checkValues(variants, type, "variants");
    if (rules != null) {
      for (int i = 0; i < rules.size(); i++) checkValues(rules.get(i).variants(), type, "rules[" + i + "].variants");
    }
    if (defaultVariant == null) {
      Check.that(type == FlagType.BOOLEAN, "defaultVariant is required for a " + type.json() + " flag");
    } else {
      value(defaultVariant.value(), type, "defaultVariant.value");
    }
    for (int i = 0; i < dependencies.size(); i++) {
      Check.that(!dependencies.get(i).flag().equals(name), "dependencies[" + i + "].flag: a flag cannot depend on itself");
    }
  }

  private static void checkValues(List<Variant> variants, FlagType type, String field) {
    for (int i = 0; i < variants.size(); i++) value(variants.get(i).value(), type, field + "[" + i + "].value");
  }
}
