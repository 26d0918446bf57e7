package dev.systemtables.flags;

/**
 * The constraint operators, with Unleash's names and semantics (see {@link FlagEvaluator}).
 * IN/NOT_IN and STR_* and REGEX and IN_CIDR use a constraint's {@code values} (any of them);
 * NUM_*, DATE_* and SEMVER_* use its single {@code value}.
 */
public enum Operator {
  IN, NOT_IN, STR_CONTAINS, STR_STARTS_WITH, STR_ENDS_WITH,
  NUM_EQ, NUM_GT, NUM_GTE, NUM_LT, NUM_LTE, DATE_AFTER, DATE_BEFORE,
  SEMVER_EQ, SEMVER_GT, SEMVER_GTE, SEMVER_LT, SEMVER_LTE, REGEX, IN_CIDR;

  /** Whether the operator reads the constraint's single {@code value} rather than its {@code values}. */
  public boolean singleValue() {
    return switch (this) {
      case NUM_EQ, NUM_GT, NUM_GTE, NUM_LT, NUM_LTE, DATE_AFTER, DATE_BEFORE,
           SEMVER_EQ, SEMVER_GT, SEMVER_GTE, SEMVER_LT, SEMVER_LTE -> true;
      default -> false;
    };
  }

  /** The operator of that exact name, or null when there is none (an unknown operator matches nobody). */
  public static Operator parse(String name) {
    if (name == null) return null;
    for (Operator o : values()) {
      if (o.name().equals(name)) return o;
    }
    return null;
  }
}
