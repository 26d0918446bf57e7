package dev.systemtables.flags;

import dev.systemtables.auth.Role;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Constraint operators behave as Unleash's")
class ConstraintOperatorsTest {

  /** Whether a one-rule flag with this constraint is on for a caller whose attribute {@code field} is {@code value}. */
  static boolean holds(Constraint c, Object value) {
    Map<String, Object> attrs = new HashMap<>();
    if (value != null) attrs.put(c.contextName(), value);
    return holds(c, new EvaluationContext("u-1", Role.VIEWER, null, null, attrs));
  }

  static boolean holds(Constraint c, EvaluationContext ctx) {
    Flag f = Flag.ruled("op-flag", true, FlagType.BOOLEAN, List.of(), List.of(Rule.of(c)), List.of(), null);
    return FlagEvaluator.evaluate(FlagSnapshot.of(List.of(f), Instant.EPOCH), "op-flag", ctx).enabled();
  }

  static Constraint multi(String field, Operator op, String... values) {
    return Constraint.of(field, op, values);
  }

  static Constraint single(String field, Operator op, String value) {
    return Constraint.single(field, op, value);
  }

  @Nested
  @DisplayName("IN and NOT_IN")
  class InNotIn {
    @Test
    @DisplayName("IN matches a listed value exactly, after trimming the listed values")
    void in() {
      Constraint c = multi("plan", Operator.IN, " gold ", "silver");
      assertThat(holds(c, "gold")).isTrue();
      assertThat(holds(c, "silver")).isTrue();
      assertThat(holds(c, "Gold")).isFalse();
      assertThat(holds(c, " gold ")).isFalse();
      assertThat(holds(c, (Object) null)).isFalse();
    }

    @Test
    @DisplayName("NOT_IN is true for a missing field and false for a listed value")
    void notIn() {
      Constraint c = multi("plan", Operator.NOT_IN, "gold");
      assertThat(holds(c, (Object) null)).isTrue();
      assertThat(holds(c, "gold")).isFalse();
      assertThat(holds(c, "bronze")).isTrue();
    }

    @Test
    @DisplayName("IN compares numbers and booleans by their JSON text, and reads the token fields")
    void builtInFields() {
      assertThat(holds(multi("age", Operator.IN, "42"), new BigDecimal("42.0"))).isTrue();
      assertThat(holds(multi("beta", Operator.IN, "true"), true)).isTrue();
      EvaluationContext admin = new EvaluationContext("u-7", Role.ADMIN, "b-1", "c-1", Map.of(), "s-1", "10.0.0.1",
          "production", "shop", null);
      assertThat(holds(multi("role", Operator.IN, "ADMIN"), admin)).isTrue();
      assertThat(holds(multi("brandId", Operator.IN, "b-1"), admin)).isTrue();
      assertThat(holds(multi("creatorId", Operator.IN, "c-1"), admin)).isTrue();
      assertThat(holds(multi("environment", Operator.IN, "production"), admin)).isTrue();
      assertThat(holds(multi("appName", Operator.IN, "shop"), admin)).isTrue();
      assertThat(holds(multi("sessionId", Operator.IN, "s-1"), admin)).isTrue();
      assertThat(holds(multi("userId", Operator.IN, "u-8"), admin)).isFalse();
    }

    @Test
    @DisplayName("inverted IN with a missing field is true (the negation of false)")
    void invertedMissing() {
      assertThat(holds(multi("plan", Operator.IN, "gold").invert(), (Object) null)).isTrue();
      assertThat(holds(multi("plan", Operator.NOT_IN, "gold").invert(), (Object) null)).isFalse();
    }
  }

  @Nested
  @DisplayName("STR_CONTAINS, STR_STARTS_WITH, STR_ENDS_WITH")
  class Strings {
    @ParameterizedTest(name = "{0} {1} on \"{2}\" → {3}")
    @CsvSource({
        "STR_CONTAINS, ell, hello, true",
        "STR_CONTAINS, xyz, hello, false",
        "STR_STARTS_WITH, he, hello, true",
        "STR_STARTS_WITH, lo, hello, false",
        "STR_ENDS_WITH, lo, hello, true",
        "STR_ENDS_WITH, he, hello, false",
        "STR_STARTS_WITH, HE, hello, false",
    })
    void operators(Operator op, String value, String field, boolean expected) {
      assertThat(holds(multi("greeting", op, value), field)).isEqualTo(expected);
    }

    @Test
    @DisplayName("any one of the values suffices")
    void anyValue() {
      assertThat(holds(multi("email", Operator.STR_ENDS_WITH, "@a.com", "@b.com"), "x@b.com")).isTrue();
    }

    @Test
    @DisplayName("caseInsensitive lower-cases both sides")
    void caseInsensitive() {
      Constraint c = multi("greeting", Operator.STR_STARTS_WITH, "HeL").ignoringCase();
      assertThat(holds(c, "hELLO")).isTrue();
      assertThat(holds(multi("greeting", Operator.STR_STARTS_WITH, "HeL"), "hELLO")).isFalse();
    }

    @Test
    @DisplayName("a non-string field is false, and inverted then true; a missing field inverted is true")
    void nonString() {
      assertThat(holds(multi("n", Operator.STR_CONTAINS, "4"), new BigDecimal("42"))).isFalse();
      assertThat(holds(multi("n", Operator.STR_CONTAINS, "4").invert(), new BigDecimal("42"))).isTrue();
      assertThat(holds(multi("n", Operator.STR_CONTAINS, "4").invert(), (Object) null)).isTrue();
    }
  }

  @Nested
  @DisplayName("NUM_*")
  class Numbers {
    @ParameterizedTest(name = "{0} {1} with field {2} → {3}")
    @CsvSource({
        "NUM_EQ, 5, 5, true",
        "NUM_EQ, 5, 5.0, true",
        "NUM_EQ, 5, 6, false",
        "NUM_GT, 5, 6, true",
        "NUM_GT, 5, 5, false",
        "NUM_GTE, 5, 5, true",
        "NUM_GTE, 5, 4.99, false",
        "NUM_LT, 5, 4, true",
        "NUM_LT, 5, 5, false",
        "NUM_LTE, 5, 5, true",
        "NUM_LTE, 5, 5.01, false",
        "NUM_LT, 1e3, 999, true",
        "NUM_EQ, 16, 0x10, true",
    })
    void numbersGivenAsStrings(Operator op, String value, String field, boolean expected) {
      assertThat(holds(single("n", op, value), field)).isEqualTo(expected);
    }

    @Test
    @DisplayName("JSON numbers work as well as numbers given as strings")
    void jsonNumbers() {
      assertThat(holds(single("n", Operator.NUM_GT, "2.5"), new BigDecimal("3"))).isTrue();
      assertThat(holds(single("n", Operator.NUM_GT, "2.5"), 2)).isFalse();
    }

    @Test
    @DisplayName("NaN on either side is false; a missing field is NaN; inverted then true")
    void nan() {
      assertThat(holds(single("n", Operator.NUM_EQ, "5"), "five")).isFalse();
      assertThat(holds(single("n", Operator.NUM_EQ, "five"), "5")).isFalse();
      assertThat(holds(single("n", Operator.NUM_LT, "5"), (Object) null)).isFalse();
      assertThat(holds(single("n", Operator.NUM_LT, "5").invert(), (Object) null)).isTrue();
      assertThat(holds(single("n", Operator.NUM_LT, "5").invert(), "4")).isFalse();
    }
  }

  @Nested
  @DisplayName("DATE_AFTER and DATE_BEFORE")
  class Dates {
    static EvaluationContext at(String time) {
      return new EvaluationContext("u", null, null, null, Map.of(), null, null, null, null, Instant.parse(time));
    }

    @Test
    @DisplayName("compare the context's currentTime strictly with the value")
    void strict() {
      Constraint after = single("currentTime", Operator.DATE_AFTER, "2024-05-01T10:00:00.000Z");
      Constraint before = single("currentTime", Operator.DATE_BEFORE, "2024-05-01T10:00:00Z");
      assertThat(holds(after, at("2024-05-01T10:00:00.001Z"))).isTrue();
      assertThat(holds(after, at("2024-05-01T10:00:00Z"))).isFalse();
      assertThat(holds(before, at("2024-05-01T09:59:59Z"))).isTrue();
      assertThat(holds(before, at("2024-05-01T10:00:00Z"))).isFalse();
    }

    @Test
    @DisplayName("accept offsets and bare dates (midnight UTC)")
    void forms() {
      assertThat(holds(single("currentTime", Operator.DATE_AFTER, "2024-05-01T12:00:00+02:00"),
          at("2024-05-01T10:00:01Z"))).isTrue();
      assertThat(holds(single("currentTime", Operator.DATE_BEFORE, "2024-05-02"), at("2024-05-01T23:59:59Z"))).isTrue();
    }

    @Test
    @DisplayName("use the node's clock without currentTime")
    void clock() {
      EvaluationContext now = new EvaluationContext("u", null, null, null, Map.of());
      assertThat(holds(single("currentTime", Operator.DATE_AFTER, "2000-01-01T00:00:00Z"), now)).isTrue();
      assertThat(holds(single("currentTime", Operator.DATE_BEFORE, "2000-01-01T00:00:00Z"), now)).isFalse();
    }

    @Test
    @DisplayName("an invalid date is false either way, and true inverted")
    void invalid() {
      EvaluationContext ctx = at("2024-05-01T10:00:00Z");
      assertThat(holds(single("currentTime", Operator.DATE_AFTER, "yesterday"), ctx)).isFalse();
      assertThat(holds(single("currentTime", Operator.DATE_BEFORE, "2024-13-45"), ctx)).isFalse();
      assertThat(holds(single("currentTime", Operator.DATE_BEFORE, "yesterday").invert(), ctx)).isTrue();
    }
  }

  @Nested
  @DisplayName("SEMVER_*")
  class Semvers {
    @ParameterizedTest(name = "{0} {1} with field {2} → {3}")
    @CsvSource({
        "SEMVER_EQ, 1.2.2, 1.2.2, true",
        "SEMVER_EQ, 1.2.2, 1.2.3, false",
        "SEMVER_GT, 1.2.2, 1.10.0, true",
        "SEMVER_GT, 1.2.2, 1.2.2, false",
        "SEMVER_GTE, 1.2.2, 1.2.2, true",
        "SEMVER_LT, 1.2.2, 1.2.1, true",
        "SEMVER_LTE, 1.2.2, 1.2.3, false",
        "SEMVER_LT, 2.0.0, 2.0.0-rc.1, true",
        "SEMVER_GT, 2.0.0-alpha.1, 2.0.0-beta.1, true",
        "SEMVER_LT, 2.0.0-alpha.3, 2.0.0-alpha.10, false",
        "SEMVER_GT, 2.0.0-alpha, 2.0.0-alpha.1, true",
        "SEMVER_EQ, 1.0.0, 1.0.0+build.7, true",
        "SEMVER_EQ, 2.0.0, v2.0.0, false",
        "SEMVER_EQ, 2.0.0, 2.0, false",
        "SEMVER_EQ, 2.0.0, not a version, false",
    })
    void operators(Operator op, String value, String field, boolean expected) {
      assertThat(holds(single("version", op, value), field)).isEqualTo(expected);
    }

    @Test
    @DisplayName("a missing or non-string field is false, and inverted true")
    void missing() {
      assertThat(holds(single("version", Operator.SEMVER_GT, "1.0.0"), (Object) null)).isFalse();
      assertThat(holds(single("version", Operator.SEMVER_GT, "1.0.0"), new BigDecimal("2"))).isFalse();
      assertThat(holds(single("version", Operator.SEMVER_GT, "1.0.0").invert(), (Object) null)).isTrue();
    }
  }

  @Nested
  @DisplayName("REGEX")
  class Regex {
    @Test
    @DisplayName("any pattern found in the string field matches")
    void find() {
      Constraint c = multi("email", Operator.REGEX, "^admin@", "@example\\.(com|org)$");
      assertThat(holds(c, "admin@x.io")).isTrue();
      assertThat(holds(c, "joe@example.org")).isTrue();
      assertThat(holds(c, "joe@example.net")).isFalse();
      assertThat(holds(multi("email", Operator.REGEX, "ample"), "example")).isTrue();
    }

    @Test
    @DisplayName("caseInsensitive, inverted, invalid patterns and non-strings")
    void edges() {
      assertThat(holds(multi("e", Operator.REGEX, "^ADMIN"), "admin")).isFalse();
      assertThat(holds(multi("e", Operator.REGEX, "^ADMIN").ignoringCase(), "admin")).isTrue();
      assertThat(holds(multi("e", Operator.REGEX, "^admin").invert(), "admin")).isFalse();
      assertThat(holds(multi("e", Operator.REGEX, "(unclosed"), "(unclosed")).isFalse();
      assertThat(holds(multi("e", Operator.REGEX, "4"), new BigDecimal("4"))).isFalse();
      assertThat(holds(multi("e", Operator.REGEX, "4").invert(), (Object) null)).isTrue();
    }
  }

  @Nested
  @DisplayName("REGEX in RE2 syntax, as Unleash's engines read it")
  class Re2 {
    @Test
    @DisplayName("POSIX classes work; look-around, back-references and possessive quantifiers are invalid")
    void syntax() {
      assertThat(holds(multi("u", Operator.REGEX, "^[[:alpha:]]+$"), "AlphaBeta")).isTrue();
      assertThat(holds(multi("u", Operator.REGEX, "^[[:alpha:]]+$"), "Alpha1")).isFalse();
      assertThat(holds(multi("u", Operator.REGEX, "^[^[:digit:]]+$"), "abc")).isTrue();
      assertThat(holds(multi("u", Operator.REGEX, "^(?=a)a$"), "a")).isFalse();
      assertThat(holds(multi("u", Operator.REGEX, "^(a)\\1$"), "aa")).isFalse();
      assertThat(holds(multi("u", Operator.REGEX, "^a++$"), "aa")).isFalse();
      assertThat(holds(multi("u", Operator.REGEX, "^\\++$"), "++")).isTrue();
    }

    @Test
    @DisplayName("a single value works like values, as Unleash writes REGEX")
    void singleValue() {
      Constraint c = new Constraint("u", Operator.REGEX, List.of(), "^cat$", false, false);
      assertThat(holds(c, "cat")).isTrue();
      assertThat(holds(c, "Cat")).isFalse();
    }
  }

  @Nested
  @DisplayName("IN_CIDR")
  class Cidr {
    static EvaluationContext from(String address) {
      return new EvaluationContext("u", null, null, null, Map.of(), null, address, null, null, null);
    }

    @Test
    @DisplayName("matches addresses inside a range or equal to a listed address, IPv4 and IPv6")
    void ranges() {
      Constraint c = multi("remoteAddress", Operator.IN_CIDR, "10.1.0.0/16", "192.168.0.7", "2001:db8::/32");
      assertThat(holds(c, from("10.1.200.3"))).isTrue();
      assertThat(holds(c, from("10.2.0.1"))).isFalse();
      assertThat(holds(c, from("192.168.0.7"))).isTrue();
      assertThat(holds(c, from("192.168.0.8"))).isFalse();
      assertThat(holds(c, from("2001:db8:5::1"))).isTrue();
      assertThat(holds(c, from("2001:db9::1"))).isFalse();
    }

    @Test
    @DisplayName("ignores invalid ranges; an invalid or missing address is false, inverted true")
    void invalid() {
      Constraint c = multi("remoteAddress", Operator.IN_CIDR, "10.invalid", "10.0.0.0/33", "10.0.0.0/8");
      assertThat(holds(c, from("10.9.9.9"))).isTrue();
      assertThat(holds(multi("remoteAddress", Operator.IN_CIDR, "10.invalid"), from("10.0.0.1"))).isFalse();
      assertThat(holds(c, from("not-an-ip"))).isFalse();
      assertThat(holds(c, from(null))).isFalse();
      assertThat(holds(c.invert(), from(null))).isTrue();
    }
  }

  @Test
  @DisplayName("An unknown operator is false, inverted or not")
  void unknownOperator() {
    Constraint unknown = new Constraint("plan", null, List.of("gold"), null, false, false);
    assertThat(holds(unknown, "gold")).isFalse();
    assertThat(holds(unknown.invert(), "gold")).isFalse();
    assertThat(holds(unknown.invert(), (Object) null)).isFalse();
  }
}
