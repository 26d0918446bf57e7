package dev.systemtables.flags;

import dev.systemtables.auth.Role;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Stored answers of GET /flags/enabled: per caller and snapshot, bounded, never for clock or chance")
class FlagAnswersTest {

  static final EvaluationContext ADA = new EvaluationContext("ada", Role.VIEWER, null, null, Map.of("sub", "ada"));

  static Flag legacy(String name, boolean enabled, int rollout) {
    return new Flag("id-" + name, name, enabled, rollout, null);
  }

  static Flag ruled(String name, Rule... rules) {
    return Flag.ruled(name, true, FlagType.BOOLEAN, List.of(), List.of(rules), List.of(), null);
  }

  static FlagSnapshot snapshot(Flag... flags) {
    return FlagSnapshot.of(List.of(flags), Instant.EPOCH);
  }

  static FlagSnapshots installed(int entries, FlagSnapshot snapshot) {
    FlagSnapshots snapshots = new FlagSnapshots(entries);
    snapshots.replace(snapshot);
    return snapshots;
  }

  @Test
  @DisplayName("A caller asking again under the same snapshot gets the stored text, not a new evaluation")
  void repeatIsStored() {
    FlagSnapshots snapshots = installed(100, snapshot(legacy("a", true, 100), legacy("b", true, 30)));
    String first = snapshots.answers().allEnabled(ADA);
    assertThat(first).isEqualTo("{\"data\":{\"flags\":{\"a\":true,\"b\":" + (Bucketing.bucket("b", "ada") <= 30) + "}}}");
    assertThat(snapshots.answers().allEnabled(ADA)).isSameAs(first);
    assertThat(snapshots.answers().stored()).isEqualTo(1);
  }

  @Test
  @DisplayName("answerCacheEntries 0 stores nothing: every request evaluates anew")
  void zeroDisables() {
    FlagSnapshots snapshots = installed(0, snapshot(legacy("a", true, 100)));
    String first = snapshots.answers().allEnabled(ADA);
    assertThat(snapshots.answers().allEnabled(ADA)).isEqualTo(first).isNotSameAs(first);
    assertThat(snapshots.answers().stored()).isZero();
  }

  @Test
  @DisplayName("At most answerCacheEntries callers are kept")
  void bounded() {
    FlagSnapshots snapshots = installed(50, snapshot(legacy("a", true, 50)));
    for (int i = 0; i < 1_000; i++) {
      snapshots.answers().allEnabled(new EvaluationContext("u-" + i, Role.VIEWER, null, null, Map.of()));
    }
    // Caffeine evicts in its maintenance, which may trail the writes a little; bounded all the same.
    assertThat(Poll.until(2_000, () -> snapshots.answers().stored() <= 50)).as("stored %s", snapshots.answers().stored())
        .isTrue();
  }

  @Test
  @DisplayName("A new snapshot starts with no answers, so a change is seen on the next request; an identical one keeps them")
  void snapshotChange() {
    FlagSnapshots snapshots = installed(100, snapshot(legacy("kill", true, 100)));
    assertThat(snapshots.answers().allEnabled(ADA)).contains("\"kill\":true");

    snapshots.replace(snapshot(legacy("kill", false, 100)));
    assertThat(snapshots.answers().allEnabled(ADA)).contains("\"kill\":false");

    // The periodic reload: same content, another snapshot object; the stored answer stays.
    String stored = snapshots.answers().allEnabled(ADA);
    FlagSnapshot reloaded = snapshot(legacy("kill", false, 100));
    snapshots.replace(reloaded);
    assertThat(snapshots.current()).isSameAs(reloaded);
    assertThat(snapshots.answers().allEnabled(ADA)).isSameAs(stored);

    // A segment is content too.
    FlagSnapshot withSegment = FlagSnapshot.of(List.of(legacy("kill", false, 100)),
        List.of(new Segment("s", List.of(Constraint.of("plan", Operator.IN, "pro")))), Instant.EPOCH);
    snapshots.replace(withSegment);
    assertThat(snapshots.answers().stored()).isZero();
  }

  @Test
  @DisplayName("Callers differing only in a claim a condition reads get their own answers")
  void everyClaimIsKey() {
    Flag pro = new Flag("id-pro", "pro", true, 100,
        new FlagConditions(null, null, null, null, Map.of("plan", "pro")));
    FlagSnapshots snapshots = installed(100, snapshot(pro));
    EvaluationContext proAda = new EvaluationContext("ada", Role.VIEWER, null, null, Map.of("sub", "ada", "plan", "pro"));
    EvaluationContext freeAda = new EvaluationContext("ada", Role.VIEWER, null, null, Map.of("sub", "ada", "plan", "free"));
    assertThat(snapshots.answers().allEnabled(proAda)).contains("\"pro\":true");
    assertThat(snapshots.answers().allEnabled(freeAda)).contains("\"pro\":false");
    assertThat(snapshots.answers().stored()).isEqualTo(2);

    Flag brands = new Flag("id-b", "b", true, 100, new FlagConditions(Set.of(Role.BRAND), Set.of("b1"), null, null, null));
    snapshots.replace(snapshot(brands));
    assertThat(snapshots.answers().allEnabled(new EvaluationContext("bo", Role.BRAND, "b1", null, Map.of())))
        .contains("\"b\":true");
    assertThat(snapshots.answers().allEnabled(new EvaluationContext("bo", Role.BRAND, "b2", null, Map.of())))
        .contains("\"b\":false");
    assertThat(snapshots.answers().allEnabled(new EvaluationContext("bo", Role.CREATOR, "b1", null, Map.of())))
        .contains("\"b\":false");
  }

  @Test
  @DisplayName("Not repeatable, so never stored: DATE_* (own or a segment's), random rollouts, random variants a dependency reads")
  void notRepeatable() {
    Constraint future = Constraint.single("currentTime", Operator.DATE_AFTER, "2999-01-01T00:00:00Z");
    assertThat(snapshot(legacy("a", true, 40), ruled("r", Rule.of(Constraint.of("plan", Operator.IN, "pro"))))
        .repeatable()).as("legacy flags and plain rules").isTrue();
    assertThat(snapshot(ruled("d", Rule.of(future))).repeatable()).as("DATE_AFTER").isFalse();
    assertThat(snapshot(ruled("d", Rule.of(Constraint.single("currentTime", Operator.DATE_BEFORE, "2000-01-01T00:00:00Z"))))
        .repeatable()).as("DATE_BEFORE").isFalse();
    assertThat(FlagSnapshot.of(List.of(ruled("d", new Rule(List.of(), List.of("soon"), null, null, null, List.of()))),
        List.of(new Segment("soon", List.of(future))), Instant.EPOCH).repeatable()).as("DATE_* in a segment").isFalse();

    assertThat(snapshot(ruled("x", new Rule(List.of(), List.of(), 50, null, "random", List.of()))).repeatable())
        .as("random stickiness at 50 %").isFalse();
    assertThat(snapshot(ruled("x", new Rule(List.of(), List.of(), 100, null, "random", List.of()))).repeatable())
        .as("random stickiness at 100 % draws nothing").isTrue();
    assertThat(snapshot(ruled("x", new Rule(List.of(), List.of(), 50, null, null, List.of()))).repeatable())
        .as("default stickiness buckets on the user id").isTrue();

    Flag parent = Flag.ruled("parent", true, FlagType.BOOLEAN,
        List.of(new Variant("red", true, 500, "tenant", List.of()), new Variant("blue", true, 500, "tenant", List.of())),
        List.of(), List.of(), null);
    Flag child = Flag.ruled("child", true, FlagType.BOOLEAN, List.of(), List.of(),
        List.of(new Dependency("parent", true, List.of("red"))), null);
    assertThat(snapshot(parent, child).repeatable()).as("a dependency on a variant seeded by a field that may be missing")
        .isFalse();
    Flag onlyOn = Flag.ruled("child", true, FlagType.BOOLEAN, List.of(), List.of(),
        List.of(new Dependency("parent", true, List.of())), null);
    assertThat(snapshot(parent, onlyOn).repeatable()).as("a dependency on the parent being on only").isTrue();

    FlagSnapshots snapshots = installed(100, snapshot(ruled("d", Rule.of(future))));
    snapshots.answers().allEnabled(ADA);
    assertThat(snapshots.answers().stored()).isZero();
  }
}
