package dev.systemtables.flags;

import java.util.List;

/**
 * One condition on one context field, as Unleash writes it.
 *
 * @param contextName     the context field: {@code userId}, {@code role}, {@code brandId}, {@code creatorId},
 *                        {@code sessionId}, {@code remoteAddress}, {@code environment}, {@code appName},
 *                        {@code currentTime}, or any attribute (Unleash {@code properties})
 * @param operator        null only for an operator this service does not know (then the constraint is false)
 * @param values          the candidates of IN/NOT_IN, STR_*, REGEX and IN_CIDR (any one matching suffices);
 *                        never null (empty when absent)
 * @param value           the single operand of NUM_*, DATE_* and SEMVER_*; null for the others
 * @param inverted        negates the result, also when the context field is missing
 * @param caseInsensitive STR_* and REGEX compare ignoring case (IN/NOT_IN stay exact, as in Unleash)
 */
public record Constraint(String contextName, Operator operator, List<String> values, String value,
                         boolean inverted, boolean caseInsensitive) {

  public Constraint {
    values = values == null ? List.of() : List.copyOf(values);
  }

  /** A multi-value constraint ({@code IN}, {@code STR_*}, {@code REGEX}, {@code IN_CIDR}). */
  public static Constraint of(String contextName, Operator operator, String... values) {
    return new Constraint(contextName, operator, List.of(values), null, false, false);
  }

  /** A single-value constraint ({@code NUM_*}, {@code DATE_*}, {@code SEMVER_*}). */
  public static Constraint single(String contextName, Operator operator, String value) {
    return new Constraint(contextName, operator, List.of(), value, false, false);
  }

  /** This constraint negated. */
  public Constraint invert() {
    return new Constraint(contextName, operator, values, value, !inverted, caseInsensitive);
  }

  /** This constraint comparing without regard to case. */
  public Constraint ignoringCase() {
    return new Constraint(contextName, operator, values, value, inverted, true);
  }
}
