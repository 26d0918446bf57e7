package dev.systemtables.flags;

import dev.systemtables.auth.Role;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

@DisplayName("FlagEvaluator.evaluate answers rule flags as the contract and Unleash say")
class RuleEvaluationTest {

  static EvaluationContext user(String id) {
    return new EvaluationContext(id, Role.VIEWER, null, null, Map.of());
  }

  static EvaluationContext user(String id, Map<String, Object> attrs) {
    return new EvaluationContext(id, Role.VIEWER, null, null, attrs);
  }

  static FlagSnapshot snapshot(Flag... flags) {
    return FlagSnapshot.of(List.of(flags), Instant.EPOCH);
  }

  static Rule rule(List<Constraint> constraints, Integer rollout, List<Variant> variants) {
    return new Rule(constraints, List.of(), rollout, null, null, variants);
  }

  static final Variant RED = new Variant("red", "#f00", 1);
  static final Variant GREEN = new Variant("green", "#0f0", 1);
  static final Variant BLUE = new Variant("blue", "#00f", 2);
  static final Variant GREY = new Variant("grey", "#999");

  @Nested
  @DisplayName("Steps 1–3 and 8: not found, disabled, default")
  class Basics {
    @Test
    @DisplayName("An unknown flag is an ERROR with FLAG_NOT_FOUND and no value")
    void unknown() {
      Evaluation e = FlagEvaluator.evaluate(snapshot(), "nope", user("u"));
      assertThat(e).isEqualTo(new Evaluation("nope", false, null, null, Reason.ERROR, "FLAG_NOT_FOUND"));
    }

    @Test
    @DisplayName("A disabled flag is DISABLED with its default variant (off for booleans)")
    void disabled() {
      Flag bool = Flag.ruled("b-flag", false, FlagType.BOOLEAN, List.of(), List.of(), List.of(), null);
      Flag str = Flag.ruled("s-flag", false, FlagType.STRING, List.of(RED), List.of(), List.of(), GREY);
      assertThat(FlagEvaluator.evaluate(snapshot(bool), "b-flag", user("u")))
          .isEqualTo(new Evaluation("b-flag", false, false, "off", Reason.DISABLED, null));
      assertThat(FlagEvaluator.evaluate(snapshot(str), "s-flag", user("u")))
          .isEqualTo(new Evaluation("s-flag", false, "#999", "grey", Reason.DISABLED, null));
    }

    @Test
    @DisplayName("No rule matching gives DEFAULT with the default variant, not enabled")
    void noMatch() {
      Flag f = Flag.ruled("s-flag", true, FlagType.STRING, List.of(RED), List.of(
          Rule.of(Constraint.of("plan", Operator.IN, "gold"))), List.of(), GREY);
      Evaluation e = FlagEvaluator.evaluate(snapshot(f), "s-flag", user("u", Map.of("plan", "silver")));
      assertThat(e).isEqualTo(new Evaluation("s-flag", false, "#999", "grey", Reason.DEFAULT, null));
      assertThat(FlagEvaluator.isEnabled(snapshot(f), "s-flag", user("u", Map.of("plan", "silver")))).isFalse();
    }
  }

  @Nested
  @DisplayName("Steps 5–7: rules, rollouts and reasons")
  class Rules {
    @Test
    @DisplayName("A rule flag without rules is on for everybody, STATIC, true/\"on\" for a boolean")
    void noRules() {
      Flag f = Flag.ruled("all-on", true, FlagType.BOOLEAN, List.of(), List.of(), List.of(), null);
      assertThat(FlagEvaluator.evaluate(snapshot(f), "all-on", user("anyone")))
          .isEqualTo(new Evaluation("all-on", true, true, "on", Reason.STATIC, null));
      assertThat(FlagEvaluator.isEnabled(f, user("anyone"))).isTrue();
    }

    @Test
    @DisplayName("The first matching rule wins, and a constrained rule is a TARGETING_MATCH")
    void firstMatch() {
      Flag f = Flag.ruled("tiers", true, FlagType.STRING, List.of(), List.of(
          rule(List.of(Constraint.of("plan", Operator.IN, "gold")), null, List.of(RED)),
          rule(List.of(Constraint.of("plan", Operator.IN, "gold", "silver")), null, List.of(GREEN)),
          rule(List.of(), null, List.of(BLUE))), List.of(), GREY);
      FlagSnapshot s = snapshot(f);
      assertThat(FlagEvaluator.evaluate(s, "tiers", user("u", Map.of("plan", "gold"))))
          .isEqualTo(new Evaluation("tiers", true, "#f00", "red", Reason.TARGETING_MATCH, null));
      assertThat(FlagEvaluator.evaluate(s, "tiers", user("u", Map.of("plan", "silver"))).variant()).isEqualTo("green");
      assertThat(FlagEvaluator.evaluate(s, "tiers", user("u", Map.of("plan", "bronze"))))
          .isEqualTo(new Evaluation("tiers", true, "#00f", "blue", Reason.STATIC, null));
    }

    @Test
    @DisplayName("A rollout takes exactly the users whose bucket of \"<groupId>:<userId>\" is within it, as SPLIT")
    void rollout() {
      Flag f = Flag.ruled("half", true, FlagType.BOOLEAN, List.of(), List.of(
          new Rule(List.of(), List.of(), 50, "my-group", null, List.of())), List.of(), null);
      FlagSnapshot s = snapshot(f);
      int on = 0;
      for (int i = 0; i < 2000; i++) {
        String id = "user-" + i;
        Evaluation e = FlagEvaluator.evaluate(s, "half", user(id));
        assertThat(e.enabled()).isEqualTo(Bucketing.bucket("my-group", id) <= 50);
        assertThat(e.reason()).isEqualTo(e.enabled() ? Reason.SPLIT : Reason.DEFAULT);
        if (e.enabled()) on++;
      }
      assertThat(on).isBetween(900, 1100);
    }

    @Test
    @DisplayName("Rollout 0 matches nobody; a named stickiness field that is missing never matches, even at 100")
    void stickiness() {
      Flag zero = Flag.ruled("zero", true, FlagType.BOOLEAN, List.of(), List.of(rule(List.of(), 0, List.of())),
          List.of(), null);
      Flag byTenant = Flag.ruled("tenant", true, FlagType.BOOLEAN, List.of(), List.of(
          new Rule(List.of(), List.of(), 100, null, "tenantId", List.of())), List.of(), null);
      FlagSnapshot s = snapshot(zero, byTenant);
      assertThat(FlagEvaluator.evaluate(s, "zero", user("u")).enabled()).isFalse();
      assertThat(FlagEvaluator.evaluate(s, "tenant", user("u")).enabled()).isFalse();
      assertThat(FlagEvaluator.evaluate(s, "tenant", user("u", Map.of("tenantId", "t-1"))).enabled()).isTrue();
    }

    @Test
    @DisplayName("A segment's constraints are ANDed with the rule's; a missing segment matches nobody")
    void segments() {
      Segment beta = new Segment("beta-testers", List.of(Constraint.of("beta", Operator.IN, "true")));
      Flag f = Flag.ruled("seg", true, FlagType.BOOLEAN, List.of(), List.of(
          new Rule(List.of(Constraint.of("plan", Operator.IN, "gold")), List.of("beta-testers"), null, null, null,
              List.of())), List.of(), null);
      Flag broken = Flag.ruled("broken", true, FlagType.BOOLEAN, List.of(), List.of(
          new Rule(List.of(), List.of("no-such-segment"), null, null, null, List.of())), List.of(), null);
      FlagSnapshot s = FlagSnapshot.of(List.of(f, broken), List.of(beta), Instant.EPOCH);
      assertThat(FlagEvaluator.evaluate(s, "seg", user("u", Map.of("plan", "gold", "beta", "true"))))
          .isEqualTo(new Evaluation("seg", true, true, "on", Reason.TARGETING_MATCH, null));
      assertThat(FlagEvaluator.evaluate(s, "seg", user("u", Map.of("plan", "gold", "beta", "false"))).enabled())
          .isFalse();
      assertThat(FlagEvaluator.evaluate(s, "seg", user("u", Map.of("beta", "true"))).enabled()).isFalse();
      assertThat(FlagEvaluator.evaluate(s, "broken", user("u")).enabled()).isFalse();
    }

    @Test
    @DisplayName("Changing a segment in a new snapshot changes the flags that use it")
    void segmentChange() {
      Flag f = Flag.ruled("seg", true, FlagType.BOOLEAN, List.of(), List.of(
          new Rule(List.of(), List.of("staff"), null, null, null, List.of())), List.of(), null);
      FlagSnapshot before = FlagSnapshot.of(List.of(f), List.of(
          new Segment("staff", List.of(Constraint.of("userId", Operator.IN, "alice")))), Instant.EPOCH);
      FlagSnapshot after = FlagSnapshot.of(List.of(f), List.of(
          new Segment("staff", List.of(Constraint.of("userId", Operator.IN, "alice", "bob")))), Instant.EPOCH);
      assertThat(FlagEvaluator.evaluate(before, "seg", user("bob")).enabled()).isFalse();
      assertThat(FlagEvaluator.evaluate(after, "seg", user("bob")).enabled()).isTrue();
    }
  }

  @Nested
  @DisplayName("Variants, chosen as Unleash's selectVariantDefinition")
  class Variants {
    @Test
    @DisplayName("10,000 users split 25/25/50 within ±2 points, and each keeps their variant")
    void distribution() {
      Flag f = Flag.ruled("colours", true, FlagType.STRING, List.of(RED, GREEN, BLUE), List.of(), List.of(), GREY);
      FlagSnapshot s = snapshot(f);
      Map<String, Integer> counts = new HashMap<>();
      for (int i = 0; i < 10_000; i++) {
        Evaluation e = FlagEvaluator.evaluate(s, "colours", user("user-" + i));
        assertThat(e.reason()).isEqualTo(Reason.SPLIT);
        counts.merge(e.variant(), 1, Integer::sum);
      }
      assertThat(counts.keySet()).containsExactlyInAnyOrder("red", "green", "blue");
      assertThat(counts.get("red") / 100.0).isCloseTo(25.0, within(2.0));
      assertThat(counts.get("green") / 100.0).isCloseTo(25.0, within(2.0));
      assertThat(counts.get("blue") / 100.0).isCloseTo(50.0, within(2.0));
      assertThat(FlagEvaluator.evaluate(s, "colours", user("user-42")))
          .isEqualTo(FlagEvaluator.evaluate(s, "colours", user("user-42")));
    }

    @Test
    @DisplayName("the variant is the one murmur3 (seed 86028157) of \"<flag>:<userId>\" % total weight + 1 picks")
    void hash() {
      Flag f = Flag.ruled("colours", true, FlagType.STRING, List.of(RED, GREEN, BLUE), List.of(), List.of(), GREY);
      FlagSnapshot s = snapshot(f);
      for (int i = 0; i < 500; i++) {
        String id = "u" + i;
        long h = Integer.toUnsignedLong(com.google.common.hash.Hashing.murmur3_32_fixed(86028157)
            .hashString("colours:" + id, java.nio.charset.StandardCharsets.UTF_8).asInt());
        long target = h % 4 + 1;
        String expected = target == 1 ? "red" : target == 2 ? "green" : "blue";
        assertThat(FlagEvaluator.evaluate(s, "colours", user(id)).variant()).as(id).isEqualTo(expected);
      }
    }

    @Test
    @DisplayName("an override forces its variant before any hashing, and weight-0 variants are never drawn")
    void overrides() {
      Variant vip = new Variant("vip", "#gold", 0, null, List.of(new VariantOverride("userId", List.of("alice"))));
      Flag f = Flag.ruled("colours", true, FlagType.STRING, List.of(RED, vip), List.of(), List.of(), GREY);
      FlagSnapshot s = snapshot(f);
      assertThat(FlagEvaluator.evaluate(s, "colours", user("alice")))
          .isEqualTo(new Evaluation("colours", true, "#gold", "vip", Reason.STATIC, null));
      for (int i = 0; i < 200; i++) {
        assertThat(FlagEvaluator.evaluate(s, "colours", user("u" + i)).variant()).isEqualTo("red");
      }
    }

    @Test
    @DisplayName("a rule's own variants win over the flag's, hashed with the rule's groupId")
    void ruleVariants() {
      Flag f = Flag.ruled("colours", true, FlagType.STRING, List.of(RED), List.of(
          new Rule(List.of(), List.of(), null, "grp", null, List.of(GREEN, BLUE))), List.of(), GREY);
      FlagSnapshot s = snapshot(f);
      for (int i = 0; i < 300; i++) {
        String id = "u" + i;
        long h = Integer.toUnsignedLong(com.google.common.hash.Hashing.murmur3_32_fixed(86028157)
            .hashString("grp:" + id, java.nio.charset.StandardCharsets.UTF_8).asInt());
        assertThat(FlagEvaluator.evaluate(s, "colours", user(id)).variant()).isEqualTo(h % 3 + 1 <= 1 ? "green" : "blue");
      }
    }

    @Test
    @DisplayName("variant stickiness on a custom field uses that field's value")
    void customStickiness() {
      Variant a = new Variant("a", "A", 1, "tenantId", List.of());
      Variant b = new Variant("b", "B", 1, "tenantId", List.of());
      Flag f = Flag.ruled("tenants", true, FlagType.STRING, List.of(a, b), List.of(), List.of(), GREY);
      FlagSnapshot s = snapshot(f);
      for (int i = 0; i < 50; i++) {
        String first = FlagEvaluator.evaluate(s, "tenants", user("x" + i, Map.of("tenantId", "t-7"))).variant();
        assertThat(first).isEqualTo(FlagEvaluator.evaluate(s, "tenants", user("u-0", Map.of("tenantId", "t-7"))).variant());
      }
    }

    @Test
    @DisplayName("a number flag serves BigDecimal values; a non-boolean flag without variants serves its default")
    void types() {
      Flag n = Flag.ruled("limit", true, FlagType.NUMBER, List.of(new Variant("ten", new BigDecimal("10"), 1)),
          List.of(), List.of(), new Variant("zero", BigDecimal.ZERO));
      Flag plain = Flag.ruled("plain", true, FlagType.STRING, List.of(), List.of(), List.of(), GREY);
      assertThat(FlagEvaluator.evaluate(snapshot(n), "limit", user("u")).value()).isEqualTo(new BigDecimal("10"));
      assertThat(FlagEvaluator.evaluate(snapshot(plain), "plain", user("u")))
          .isEqualTo(new Evaluation("plain", true, "#999", "grey", Reason.STATIC, null));
    }
  }

  @Nested
  @DisplayName("Dependencies")
  class Dependencies {
    final Flag parentOn = Flag.ruled("parent-on", true, FlagType.BOOLEAN, List.of(), List.of(), List.of(), null);
    final Flag parentOff = Flag.ruled("parent-off", false, FlagType.BOOLEAN, List.of(), List.of(), List.of(), null);
    final Flag parentGold = Flag.ruled("parent-gold", true, FlagType.BOOLEAN, List.of(), List.of(
        Rule.of(Constraint.of("plan", Operator.IN, "gold"))), List.of(), null);
    final Flag parentColours = Flag.ruled("parent-colours", true, FlagType.STRING, List.of(
        new Variant("red", "r", 1, null, List.of(new VariantOverride("userId", List.of("alice")))),
        new Variant("blue", "b", 1, null, List.of(new VariantOverride("userId", List.of("bob"))))),
        List.of(), List.of(), GREY);

    Flag child(String name, Dependency... deps) {
      return Flag.ruled(name, true, FlagType.BOOLEAN, List.of(), List.of(), List.of(deps), null);
    }

    FlagSnapshot with(Flag... children) {
      List<Flag> all = new java.util.ArrayList<>(List.of(parentOn, parentOff, parentGold, parentColours));
      all.addAll(List.of(children));
      return FlagSnapshot.of(all, Instant.EPOCH);
    }

    @Test
    @DisplayName("a child is on only while its parent is on for the same caller")
    void parentOn() {
      FlagSnapshot s = with(child("c1", new Dependency("parent-gold", true, List.of())),
          child("c2", new Dependency("parent-on", true, List.of())));
      assertThat(FlagEvaluator.evaluate(s, "c1", user("u", Map.of("plan", "gold"))).enabled()).isTrue();
      assertThat(FlagEvaluator.evaluate(s, "c1", user("u", Map.of("plan", "free"))))
          .isEqualTo(new Evaluation("c1", false, false, "off", Reason.DISABLED, null));
      assertThat(FlagEvaluator.evaluate(s, "c2", user("u")).enabled()).isTrue();
    }

    @Test
    @DisplayName("enabled=false requires the parent off; a missing parent is never satisfied")
    void parentOff() {
      FlagSnapshot s = with(child("c1", new Dependency("parent-off", false, List.of())),
          child("c2", new Dependency("parent-on", false, List.of())),
          child("c3", new Dependency("ghost", true, List.of())),
          child("c4", new Dependency("ghost", false, List.of())));
      assertThat(FlagEvaluator.evaluate(s, "c1", user("u")).enabled()).isTrue();
      assertThat(FlagEvaluator.evaluate(s, "c2", user("u")).enabled()).isFalse();
      assertThat(FlagEvaluator.evaluate(s, "c3", user("u")).enabled()).isFalse();
      assertThat(FlagEvaluator.evaluate(s, "c4", user("u")).enabled()).isFalse();
    }

    @Test
    @DisplayName("listed variants require the parent on with one of them")
    void variants() {
      FlagSnapshot s = with(child("c1", new Dependency("parent-colours", true, List.of("red"))));
      assertThat(FlagEvaluator.evaluate(s, "c1", user("alice")).enabled()).isTrue();
      assertThat(FlagEvaluator.evaluate(s, "c1", user("bob")).enabled()).isFalse();
    }

    @Test
    @DisplayName("all dependencies must hold")
    void all() {
      FlagSnapshot s = with(child("c1", new Dependency("parent-on", true, List.of()),
          new Dependency("parent-off", true, List.of())));
      assertThat(FlagEvaluator.evaluate(s, "c1", user("u")).enabled()).isFalse();
    }

    @Test
    @DisplayName("as in Unleash, a parent with dependencies of its own never satisfies, so cycles end at once")
    void oneLevel() {
      Flag a = child("cycle-a", new Dependency("cycle-b", true, List.of()));
      Flag b = child("cycle-b", new Dependency("cycle-a", true, List.of()));
      Flag middle = child("middle", new Dependency("parent-on", true, List.of()));
      Flag grandchild = child("grandchild", new Dependency("middle", true, List.of()));
      FlagSnapshot s = with(a, b, middle, grandchild);
      assertThat(FlagEvaluator.evaluate(s, "cycle-a", user("u")).enabled()).isFalse();
      assertThat(FlagEvaluator.evaluate(s, "middle", user("u")).enabled()).isTrue();
      assertThat(FlagEvaluator.evaluate(s, "grandchild", user("u")).enabled()).isFalse();
      assertThat(FlagEvaluator.isEnabled(s, "grandchild", user("u"))).isFalse();
      assertThat(FlagEvaluator.evaluateAll(s, user("u"))).containsEntry("middle", true).containsEntry("cycle-b", false);
    }
  }

  @Nested
  @DisplayName("Legacy flags keep their answers")
  class Legacy {
    @Test
    @DisplayName("evaluate agrees with isEnabled on legacy flags, with the contract's reasons")
    void sameAnswers() {
      FlagConditions gold = new FlagConditions(null, null, null, Set.of("vip"), Map.of("plan", "gold"));
      Flag targeted = new Flag("1", "targeted", true, 100, gold);
      Flag split = new Flag("2", "split", true, 30, null);
      Flag everyone = new Flag("3", "everyone", true, 100, null);
      Flag off = new Flag("4", "off", false, 100, null);
      Flag targetedSplit = new Flag("5", "targeted-split", true, 40, gold);
      FlagSnapshot s = snapshot(targeted, split, everyone, off, targetedSplit);
      for (int i = 0; i < 400; i++) {
        EvaluationContext ctx = user(i == 0 ? "vip" : "u" + i, i % 2 == 0 ? Map.of("plan", "gold") : Map.of());
        for (Flag f : s.flags()) {
          Evaluation e = FlagEvaluator.evaluate(s, f.name(), ctx);
          assertThat(e.enabled()).isEqualTo(FlagEvaluator.isEnabled(f, ctx));
          assertThat(e.variant()).isEqualTo(e.enabled() ? "on" : "off");
          assertThat(e.value()).isEqualTo(e.enabled());
          Reason expected = !f.enabled() ? Reason.DISABLED : !e.enabled() ? Reason.DEFAULT
              : f == split || (f == targetedSplit && i != 0) ? Reason.SPLIT
              : f.conditions() != null ? Reason.TARGETING_MATCH : Reason.STATIC;
          assertThat(e.reason()).as(f.name() + " for " + ctx.userId()).isEqualTo(expected);
        }
      }
    }
  }
}
