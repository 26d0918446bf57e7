package dev.systemtables.flags;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import dev.systemtables.auth.Role;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("FlagEvaluator follows API.md's five steps")
class FlagEvaluatorTest {

  static EvaluationContext user(String id) {
    return new EvaluationContext(id, Role.VIEWER, null, null, Map.of());
  }

  static EvaluationContext caller(String id, String role, String brandId, String creatorId, Map<String, Object> attrs) {
    return new EvaluationContext(id, role == null ? null : Role.valueOf(role), brandId, creatorId, attrs);
  }

  static Flag flag(String name, boolean enabled, int rollout, FlagConditions c) {
    return new Flag("id-" + name, name, enabled, rollout, c);
  }

  static FlagConditions conditions(Set<String> roles, Set<String> brands, Set<String> creators, Set<String> users,
                                   Map<String, Object> custom) {
    return new FlagConditions(roles == null ? null : roles.stream().map(Role::valueOf).collect(Collectors.toSet()),
        brands, creators, users, custom);
  }

  @Nested
  @DisplayName("Step 1: unknown or disabled")
  class Step1 {
    @Test
    @DisplayName("An unknown flag is false")
    void unknown() {
      FlagSnapshot snap = FlagSnapshot.of(List.of(flag("known", true, 100, null)), Instant.now());
      assertThat(FlagEvaluator.isEnabled(snap, "unknown", user("u"))).isFalse();
      assertThat(FlagEvaluator.isEnabled(snap, "known", user("u"))).isTrue();
      assertThat(FlagEvaluator.isEnabled(null, user("u"))).isFalse();
    }

    @Test
    @DisplayName("A disabled flag is false even at 100 % for a listed user")
    void disabled() {
      Flag f = flag("off", false, 100, conditions(null, null, null, Set.of("u"), null));
      assertThat(FlagEvaluator.isEnabled(f, user("u"))).isFalse();
    }
  }

  @Nested
  @DisplayName("Step 2: role, brand and creator lists")
  class Step2 {
    @Test
    @DisplayName("userRoles must contain the caller's role")
    void roles() {
      Flag f = flag("f-roles", true, 100, conditions(Set.of("BRAND", "ADMIN"), null, null, null, null));
      assertThat(FlagEvaluator.isEnabled(f, caller("u", "BRAND", null, null, Map.of()))).isTrue();
      assertThat(FlagEvaluator.isEnabled(f, caller("u", "VIEWER", null, null, Map.of()))).isFalse();
    }

    @Test
    @DisplayName("brandIds must contain the caller's brandId; a caller without brandId does not match")
    void brands() {
      Flag f = flag("f-brands", true, 100, conditions(null, Set.of("b1"), null, null, null));
      assertThat(FlagEvaluator.isEnabled(f, caller("u", "BRAND", "b1", null, Map.of()))).isTrue();
      assertThat(FlagEvaluator.isEnabled(f, caller("u", "BRAND", "b2", null, Map.of()))).isFalse();
      assertThat(FlagEvaluator.isEnabled(f, caller("u", "BRAND", null, null, Map.of()))).isFalse();
    }

    @Test
    @DisplayName("creatorIds must contain the caller's creatorId; a caller without creatorId does not match")
    void creators() {
      Flag f = flag("f-creators", true, 100, conditions(null, null, Set.of("c1"), null, null));
      assertThat(FlagEvaluator.isEnabled(f, caller("u", "CREATOR", null, "c1", Map.of()))).isTrue();
      assertThat(FlagEvaluator.isEnabled(f, caller("u", "CREATOR", null, "c9", Map.of()))).isFalse();
      assertThat(FlagEvaluator.isEnabled(f, caller("u", "CREATOR", null, null, Map.of()))).isFalse();
    }

    @Test
    @DisplayName("Every present list must match, and a present empty list matches nobody")
    void allListsAndEmptyList() {
      Flag both = flag("f-both", true, 100, conditions(Set.of("CREATOR"), Set.of("b1"), null, null, null));
      assertThat(FlagEvaluator.isEnabled(both, caller("u", "CREATOR", "b1", null, Map.of()))).isTrue();
      assertThat(FlagEvaluator.isEnabled(both, caller("u", "BRAND", "b1", null, Map.of()))).isFalse();
      assertThat(FlagEvaluator.isEnabled(both, caller("u", "CREATOR", "b2", null, Map.of()))).isFalse();
      Flag empty = flag("f-empty", true, 100, conditions(null, Set.of(), null, null, null));
      assertThat(FlagEvaluator.isEnabled(empty, caller("u", "BRAND", "b1", null, Map.of()))).isFalse();
    }

    @Test
    @DisplayName("The lists are checked before userIds: a listed user of the wrong brand stays out")
    void listsBeforeUserIds() {
      Flag f = flag("f-order", true, 0, conditions(null, Set.of("b1"), null, Set.of("u"), null));
      assertThat(FlagEvaluator.isEnabled(f, caller("u", "BRAND", "b2", null, Map.of()))).isFalse();
      assertThat(FlagEvaluator.isEnabled(f, caller("u", "BRAND", "b1", null, Map.of()))).isTrue();
    }
  }

  @Nested
  @DisplayName("Step 3: custom conditions against the context")
  class Step3 {
    Flag f = flag("f-custom", true, 100, conditions(null, null, null, null,
        Map.of("plan", "pro", "beta", true, "tier", new BigDecimal("3"))));

    @Test
    @DisplayName("All entries equal the context's attributes → match")
    void allEqual() {
      assertThat(FlagEvaluator.isEnabled(f, caller("u", "VIEWER", null, null,
          Map.of("plan", "pro", "beta", true, "tier", 3, "other", "x")))).isTrue();
      assertThat(FlagEvaluator.isEnabled(f, caller("u", "VIEWER", null, null,
          Map.of("plan", "pro", "beta", true, "tier", 3.0)))).as("3.0 equals 3").isTrue();
    }

    @Test
    @DisplayName("A different value, a different type or a missing attribute → no match")
    void mismatches() {
      assertThat(FlagEvaluator.isEnabled(f, caller("u", "VIEWER", null, null,
          Map.of("plan", "free", "beta", true, "tier", 3)))).isFalse();
      assertThat(FlagEvaluator.isEnabled(f, caller("u", "VIEWER", null, null,
          Map.of("plan", "pro", "beta", "true", "tier", 3)))).as("string \"true\" is not true").isFalse();
      assertThat(FlagEvaluator.isEnabled(f, caller("u", "VIEWER", null, null,
          Map.of("plan", "pro", "tier", 3)))).as("missing beta").isFalse();
      assertThat(FlagEvaluator.isEnabled(f, caller("u", "VIEWER", null, null,
          Map.of("plan", "pro", "beta", true, "tier", "3")))).as("string \"3\" is not 3").isFalse();
      assertThat(FlagEvaluator.isEnabled(f, caller("u", "VIEWER", null, null,
          Map.of("plan", "pro", "beta", true, "tier", Double.NaN)))).isFalse();
    }

    @Test
    @DisplayName("Custom conditions are checked before userIds")
    void beforeUserIds() {
      Flag g = flag("f-custom-users", true, 0, conditions(null, null, null, Set.of("u"), Map.of("plan", "pro")));
      assertThat(FlagEvaluator.isEnabled(g, caller("u", "VIEWER", null, null, Map.of()))).isFalse();
      assertThat(FlagEvaluator.isEnabled(g, caller("u", "VIEWER", null, null, Map.of("plan", "pro")))).isTrue();
    }
  }

  @Nested
  @DisplayName("Step 4: userIds")
  class Step4 {
    @Test
    @DisplayName("A listed user is in even at rollout 0; others still go through the rollout")
    void skipsRollout() {
      Flag f = flag("f-users", true, 0, conditions(null, null, null, Set.of("vip"), null));
      assertThat(FlagEvaluator.isEnabled(f, user("vip"))).isTrue();
      assertThat(FlagEvaluator.isEnabled(f, user("someone"))).isFalse();
      Flag all = flag("f-users-all", true, 100, conditions(null, null, null, Set.of("vip"), null));
      assertThat(FlagEvaluator.isEnabled(all, user("someone"))).isTrue();
    }
  }

  @Nested
  @DisplayName("Step 5: rollout by bucket")
  class Step5 {
    @Test
    @DisplayName("Rollout 0 enables nobody and 100 everybody")
    void zeroAndHundred() {
      Flag zero = flag("f-zero", true, 0, null);
      Flag hundred = flag("f-hundred", true, 100, null);
      for (int i = 0; i < 10_000; i++) {
        assertThat(FlagEvaluator.isEnabled(zero, user("u" + i))).isFalse();
        assertThat(FlagEvaluator.isEnabled(hundred, user("u" + i))).isTrue();
      }
    }

    @Test
    @DisplayName("A user is in exactly when their bucket ≤ the percentage (boundary included)")
    void boundary() {
      // bucket("new-checkout", "user-1") = 32 (see BucketingTest)
      assertThat(FlagEvaluator.isEnabled(flag("new-checkout", true, 32, null), user("user-1"))).isTrue();
      assertThat(FlagEvaluator.isEnabled(flag("new-checkout", true, 31, null), user("user-1"))).isFalse();
      // bucket("groupX", "999") = 25: the top-bit key, read as unsigned
      assertThat(FlagEvaluator.isEnabled(flag("groupX", true, 25, null), user("999"))).isTrue();
      assertThat(FlagEvaluator.isEnabled(flag("groupX", true, 24, null), user("999"))).isFalse();
    }

    @ParameterizedTest(name = "{0} % of 10,000 users")
    @ValueSource(ints = {1, 5, 10, 25, 33, 50, 75, 90, 99})
    @DisplayName("A rollout of p % over 10,000 synthetic users lands within ±2 points of p")
    void distribution(int p) {
      Flag f = flag("rollout-" + p, true, p, null);
      int on = 0;
      for (int i = 0; i < 10_000; i++) {
        if (FlagEvaluator.isEnabled(f, user("user-" + i))) on++;
      }
      assertThat(on / 100.0).isBetween(p - 2.0, p + 2.0);
    }

    @Test
    @DisplayName("Raising the percentage only adds users (a user never drops out of a widening rollout)")
    void monotonic() {
      for (int i = 0; i < 2_000; i++) {
        boolean before = false;
        for (int p = 0; p <= 100; p += 5) {
          boolean now = FlagEvaluator.isEnabled(flag("widening", true, p, null), user("u" + i));
          assertThat(!before || now).isTrue();
          before = now;
        }
      }
    }
  }

  @Test
  @DisplayName("evaluateAll answers every flag by name; evaluate answers the names asked, unknown ones false")
  void snapshots() {
    FlagSnapshot snap = FlagSnapshot.of(List.of(flag("b-on", true, 100, null), flag("a-off", false, 100, null)),
        Instant.now());
    assertThat(FlagEvaluator.evaluateAll(snap, user("u"))).containsExactly(
        Map.entry("a-off", false), Map.entry("b-on", true));
    assertThat(FlagEvaluator.evaluate(snap, List.of("b-on", "nope", "b-on"), user("u"))).containsExactly(
        Map.entry("b-on", true), Map.entry("nope", false));
  }
}
