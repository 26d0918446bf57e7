package dev.systemtables.ofrep;

import dev.systemtables.auth.Role;
import dev.systemtables.flags.Constraint;
import dev.systemtables.flags.EvaluationContext;
import dev.systemtables.flags.Flag;
import dev.systemtables.flags.FlagSnapshot;
import dev.systemtables.flags.FlagType;
import dev.systemtables.flags.Operator;
import dev.systemtables.flags.Rule;
import dev.systemtables.flags.Variant;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The OFREP answer of typed flags (pure: records in, JSON out). */
@DisplayName("OFREP answers keep a flag's type and name their reason within OFREP's set")
class OfrepEvaluationsTest {

  static EvaluationContext user(String id, Role role) {
    return new EvaluationContext(id, role, null, null, Map.of());
  }

  static FlagSnapshot snapshot(Flag... flags) {
    return FlagSnapshot.of(List.of(flags), Instant.now());
  }

  @Test
  @DisplayName("A number flag answers an integral value as a JSON integer and any other as a float")
  void numbers() {
    Flag ten = Flag.ruled("page-size", true, FlagType.NUMBER, List.of(), List.of(), List.of(),
        new Variant("ten", new BigDecimal("10.0")));
    Flag half = Flag.ruled("ratio", true, FlagType.NUMBER, List.of(), List.of(), List.of(),
        new Variant("half", new BigDecimal("2.5")));
    FlagSnapshot s = snapshot(ten, half);
    JsonObject a = OfrepEvaluations.one(s, "page-size", user("u-1", Role.VIEWER));
    assertThat(a.encode()).contains("\"value\":10,").doesNotContain("10.0");
    assertThat(a.getValue("value")).isEqualTo(10L);
    assertThat(a.getString("variant")).isEqualTo("ten");
    JsonObject b = OfrepEvaluations.one(s, "ratio", user("u-1", Role.VIEWER));
    assertThat(b.getValue("value")).isEqualTo(2.5d);
    assertThat(b.encode()).contains("\"value\":2.5,");
  }

  @Test
  @DisplayName("A string flag with weighted variants answers strings with reason SPLIT; a JSON flag answers its object")
  void stringsAndObjects() {
    Flag colour = Flag.ruled("button-colour", true, FlagType.STRING,
        List.of(new Variant("blue", "blue", 500), new Variant("green", "green", 500)),
        List.of(new Rule(List.of(), List.of(), null, null, null, List.of())), List.of(), new Variant("grey", "grey"));
    Map<String, Object> limits = new LinkedHashMap<>();
    limits.put("uploads", new BigDecimal("3"));
    limits.put("tags", List.of("a", "b"));
    Flag plan = Flag.ruled("plan-limits", true, FlagType.JSON, List.of(), List.of(), List.of(),
        new Variant("basic", limits));
    FlagSnapshot s = snapshot(colour, plan);

    Set<Object> seen = new HashSet<>();
    for (int i = 0; i < 40; i++) {
      JsonObject answer = OfrepEvaluations.one(s, "button-colour", user("u-" + i, Role.VIEWER));
      assertThat(answer.getValue("value")).isInstanceOf(String.class).isEqualTo(answer.getString("variant"));
      assertThat(answer.getString("reason")).isEqualTo("SPLIT");
      seen.add(answer.getValue("value"));
    }
    assertThat(seen).containsExactlyInAnyOrder("blue", "green");

    JsonObject json = OfrepEvaluations.one(s, "plan-limits", user("u-1", Role.VIEWER));
    assertThat(json.getJsonObject("value"))
        .isEqualTo(new JsonObject().put("uploads", 3L).put("tags", new JsonArray().add("a").add("b")));
    assertThat(json.getString("reason")).isEqualTo("STATIC");
  }

  @Test
  @DisplayName("The evaluator's DEFAULT is sent as what decided: TARGETING_MATCH for constraints, SPLIT for a rollout")
  void defaultReasons() {
    Flag creators = Flag.ruled("creator-banner", true, FlagType.STRING, List.of(new Variant("shown", "shown", 1000)),
        List.of(Rule.of(Constraint.of("role", Operator.IN, "CREATOR"))), List.of(), new Variant("hidden", "hidden"));
    Flag tenth = Flag.ruled("tenth", true, FlagType.BOOLEAN, List.of(),
        List.of(new Rule(List.of(), List.of(), 10, null, null, List.of())), List.of(), null);
    FlagSnapshot s = snapshot(creators, tenth);

    JsonObject viewer = OfrepEvaluations.one(s, "creator-banner", user("u-1", Role.VIEWER));
    assertThat(viewer.getString("value")).isEqualTo("hidden");
    assertThat(viewer.getString("reason")).isEqualTo("TARGETING_MATCH");
    JsonObject creator = OfrepEvaluations.one(s, "creator-banner", user("u-1", Role.CREATOR));
    assertThat(creator.getString("value")).isEqualTo("shown");
    assertThat(creator.getString("reason")).isEqualTo("TARGETING_MATCH");

    Set<String> reasons = new HashSet<>();
    Set<Object> values = new HashSet<>();
    for (JsonObject f : OfrepEvaluations.all(s, user("u-2", Role.VIEWER)).getJsonArray("flags").stream()
        .map(o -> (JsonObject) o).toList()) {
      assertThat(f.getString("reason")).isIn("STATIC", "TARGETING_MATCH", "SPLIT", "DISABLED");
    }
    for (int i = 0; i < 60; i++) {
      JsonObject a = OfrepEvaluations.one(s, "tenth", user("user-" + i, Role.VIEWER));
      reasons.add(a.getString("reason"));
      values.add(a.getValue("value"));
    }
    assertThat(values).containsExactlyInAnyOrder(true, false);
    assertThat(reasons).containsExactly("SPLIT");
  }
}
