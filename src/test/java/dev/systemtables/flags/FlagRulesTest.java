package dev.systemtables.flags;

import dev.systemtables.auth.Role;
import dev.systemtables.common.BadInput;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("FlagRules validate every field and name the one at fault")
class FlagRulesTest {

  @ParameterizedTest(name = "\"{0}\" is a valid name")
  @ValueSource(strings = {"abc", "new-checkout", "a1-b2-c3", "x9z", "007"})
  void validNames(String name) {
    assertThatCode(() -> FlagRules.checkName(name)).doesNotThrowAnyException();
  }

  @Test
  @DisplayName("Names of exactly 3 and 100 characters are valid")
  void lengthBounds() {
    assertThatCode(() -> FlagRules.checkName("a".repeat(100))).doesNotThrowAnyException();
    assertThatThrownBy(() -> FlagRules.checkName("a".repeat(101))).hasMessageStartingWith("name must be 3–100");
    assertThatThrownBy(() -> FlagRules.checkName("ab")).hasMessageStartingWith("name must be 3–100");
  }

  @ParameterizedTest(name = "\"{0}\" is refused")
  @ValueSource(strings = {"New-Checkout", "new_checkout", "-abc", "abc-", "a--b", "has space", "ünï", "a.b.c"})
  void invalidNames(String name) {
    assertThatThrownBy(() -> FlagRules.checkName(name)).isInstanceOf(BadInput.class)
        .hasMessageStartingWith("name must be lowercase kebab-case");
  }

  @Test
  @DisplayName("A missing name is refused")
  void missingName() {
    assertThatThrownBy(() -> FlagRules.checkName(null)).hasMessage("name is required");
  }

  @Test
  @DisplayName("description: at most 500 characters (counted as characters, not bytes)")
  void description() {
    assertThatCode(() -> FlagRules.checkDescription(null)).doesNotThrowAnyException();
    assertThatCode(() -> FlagRules.checkDescription("é".repeat(500))).doesNotThrowAnyException();
    assertThatCode(() -> FlagRules.checkDescription("😀".repeat(500))).doesNotThrowAnyException();
    assertThatThrownBy(() -> FlagRules.checkDescription("x".repeat(501))).hasMessageStartingWith("description");
  }

  @Test
  @DisplayName("rolloutPercentage: 0 to 100")
  void rollout() {
    assertThatCode(() -> FlagRules.checkRolloutPercentage(0)).doesNotThrowAnyException();
    assertThatCode(() -> FlagRules.checkRolloutPercentage(100)).doesNotThrowAnyException();
    assertThatThrownBy(() -> FlagRules.checkRolloutPercentage(-1)).hasMessageStartingWith("rolloutPercentage");
    assertThatThrownBy(() -> FlagRules.checkRolloutPercentage(101)).hasMessageStartingWith("rolloutPercentage");
  }

  @Test
  @DisplayName("Valid conditions become a FlagConditions; absent members stay null")
  void validConditions() {
    FlagConditions c = FlagRules.conditions(Map.of(
        "userRoles", List.of("BRAND", "ADMIN"),
        "brandIds", List.of("b1", "b1"),
        "customConditions", Map.of("plan", "pro", "beta", true, "tier", 3)));
    assertThat(c.userRoles()).containsExactlyInAnyOrder(Role.BRAND, Role.ADMIN);
    assertThat(c.brandIds()).containsExactly("b1");
    assertThat(c.creatorIds()).isNull();
    assertThat(c.userIds()).isNull();
    assertThat(c.customConditions()).containsEntry("plan", "pro").containsEntry("beta", true)
        .containsEntry("tier", new BigDecimal(3));
    assertThat(FlagRules.conditions(null)).isNull();
    assertThat(FlagRules.conditions(Map.of())).isEqualTo(new FlagConditions(null, null, null, null, null, Map.of()));
  }

  @Test
  @DisplayName("Each malformed condition is refused with a detail naming it")
  void invalidConditions() {
    expectViolation("not an object", "conditions must be an object");
    expectViolation(Map.of("userRole", List.of("ADMIN")), "conditions.userRole is not a known condition");
    expectViolation(Map.of("userRoles", List.of("ADMIN", "ROOT")), "conditions.userRoles[1] 'ROOT' is not a role");
    expectViolation(Map.of("userRoles", "ADMIN"), "conditions.userRoles must be an array");
    expectViolation(Map.of("brandIds", List.of(1)), "conditions.brandIds[0] must be a string");
    expectViolation(Map.of("creatorIds", List.of("")), "conditions.creatorIds[0] must not be empty");
    expectViolation(Map.of("userIds", List.of("x".repeat(256))), "conditions.userIds[0] must be at most 255");
    expectViolation(Map.of("userIds", Arrays.asList("a", null)), "conditions.userIds[1] must be a string");
    expectViolation(Map.of("customConditions", List.of()), "conditions.customConditions must be an object");
    expectViolation(Map.of("customConditions", Map.of("plan", List.of("pro"))),
        "conditions.customConditions.plan must be a string, a number or a boolean");
    expectViolation(Map.of("customConditions", Map.of("plan", Map.of())),
        "conditions.customConditions.plan must be a string, a number or a boolean");
    expectViolation(Map.of("customConditions", Map.of("tier", Double.POSITIVE_INFINITY)),
        "conditions.customConditions.tier must be a finite number");
    expectViolation(Map.of("customConditions", Map.of("", "x")), "conditions.customConditions attribute names");
  }

  @Test
  @DisplayName("A null value in customConditions is refused (it could never match)")
  void nullCustomValue() {
    java.util.HashMap<String, Object> custom = new java.util.HashMap<>();
    custom.put("plan", null);
    expectViolation(Map.of("customConditions", custom), "conditions.customConditions.plan must be a string");
  }

  private static void expectViolation(Object conditions, String detailStart) {
    assertThatThrownBy(() -> FlagRules.conditions(conditions)).isInstanceOf(BadInput.class)
        .hasMessageStartingWith(detailStart);
  }
}
