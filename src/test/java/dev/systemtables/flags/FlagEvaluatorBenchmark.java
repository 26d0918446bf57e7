package dev.systemtables.flags;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import dev.systemtables.auth.Role;
import java.util.concurrent.TimeUnit;

/**
 * The evaluator on a snapshot of 1,000 flags, every one with conditions, for a rotating set of
 * 1,024 synthetic callers. Scores are evaluations per second: the all-flag benchmarks count each of
 * the 1,000 flags as one operation. Run with {@code bench/jmh} (one thread, one fork).
 *
 * <p>Two single-flag benchmarks measure issue 14's targets: {@link #simpleFlag} (today's legacy flag: a 50 %
 * rollout, looked up by name) and {@link #ruleFlag} (a rule flag of 3 rules × 4 constraints — IN, STR_ENDS_WITH,
 * NUM_GTE, SEMVER_GTE, NOT_IN, DATE_AFTER, REGEX… — a 50 % rollout on the last rule, and 3 weighted variants,
 * through {@link FlagEvaluator#evaluate(FlagSnapshot, String, EvaluationContext)}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class FlagEvaluatorBenchmark {

  static final int FLAGS = 1_000;
  static final int CALLERS = 1_024;
  static final String[] ROLES = {"ADMIN", "CREATOR", "BRAND", "VIEWER"};

  FlagSnapshot snapshot;
  FlagSnapshot small;
  EvaluationContext[] callers;
  EvaluationContext[] ruleCallers;
  String[] names;
  int next;

  @Setup
  public void setUp() {
    List<Flag> flags = new ArrayList<>(FLAGS);
    for (int i = 0; i < FLAGS; i++) {
      flags.add(new Flag("id-" + i, "flag-" + i, i % 10 != 0, i % 101, conditionsFor(i)));
    }
    snapshot = FlagSnapshot.of(flags, Instant.now());
    small = FlagSnapshot.of(List.of(new Flag("id-simple", "simple", true, 50, null), richFlag()), Instant.now());
    ruleCallers = new EvaluationContext[CALLERS];
    for (int u = 0; u < CALLERS; u++) {
      ruleCallers[u] = new EvaluationContext("user-" + u, Role.valueOf(ROLES[u % 4]), "brand-" + (u % 40), null,
          Map.of("plan", u % 3 == 0 ? "pro" : "free", "email", "user" + u + (u % 2 == 0 ? "@example.com" : "@other.org"),
              "seats", u % 50, "appVersion", "2." + (u % 12) + ".0", "country", u % 4 == 0 ? "NO" : "DE"),
          null, null, "production", "shop", null);
    }
    names = flags.stream().map(Flag::name).toArray(String[]::new);
    callers = new EvaluationContext[CALLERS];
    for (int u = 0; u < CALLERS; u++) {
      callers[u] = new EvaluationContext("user-" + u, Role.valueOf(ROLES[u % 4]), u % 3 == 0 ? null : "brand-" + (u % 40),
          u % 5 == 0 ? "creator-" + (u % 30) : null,
          Map.of("plan", u % 2 == 0 ? "pro" : "free", "region", u % 3 == 0 ? "eu" : "us", "sub", "user-" + u,
              "seats", u % 7));
    }
  }

  /** 3 rules × 4 constraints and 3 variants; most callers fall through the first two rules to the third. */
  static Flag richFlag() {
    Rule gold = new Rule(List.of(
        Constraint.of("plan", Operator.IN, "gold", "platinum"),
        Constraint.of("email", Operator.STR_ENDS_WITH, "@example.com"),
        Constraint.single("seats", Operator.NUM_GTE, "10"),
        Constraint.single("appVersion", Operator.SEMVER_GTE, "2.4.0")), List.of(), null, null, null, List.of());
    Rule nordics = new Rule(List.of(
        Constraint.of("country", Operator.IN, "NO", "SE", "DK", "FI"),
        Constraint.of("environment", Operator.IN, "production"),
        Constraint.single("seats", Operator.NUM_LT, "5"),
        Constraint.of("email", Operator.REGEX, "^user\\d+@example\\.com$")), List.of(), null, null, null, List.of());
    Rule everyone = new Rule(List.of(
        Constraint.of("role", Operator.NOT_IN, "ADMIN"),
        Constraint.of("appName", Operator.IN, "shop", "admin"),
        Constraint.single("currentTime", Operator.DATE_AFTER, "2020-01-01T00:00:00Z"),
        Constraint.of("brandId", Operator.STR_STARTS_WITH, "brand-")), List.of(), 50, null, null, List.of());
    return Flag.ruled("rich", true, FlagType.STRING, List.of(new Variant("red", "#f00", 300),
        new Variant("green", "#0f0", 300), new Variant("blue", "#00f", 400)), List.of(gold, nordics, everyone),
        List.of(), new Variant("grey", "#999"));
  }

  /** A mix of every condition kind, so each step of the evaluation is exercised. */
  static FlagConditions conditionsFor(int i) {
    return switch (i % 5) {
      case 0 -> new FlagConditions(Set.of(Role.CREATOR, Role.BRAND), null, null, null, null);
      case 1 -> new FlagConditions(null, ids("brand-", 20), null, null, null);
      case 2 -> new FlagConditions(null, null, null, null, Map.of("plan", "pro", "region", "eu"));
      case 3 -> new FlagConditions(Set.of(Role.VIEWER, Role.BRAND, Role.CREATOR), null, null, ids("user-", 100),
          Map.of("seats", new BigDecimal(3)));
      default -> new FlagConditions(null, null, ids("creator-", 10), ids("user-", 50), null);
    };
  }

  static Set<String> ids(String prefix, int n) {
    Set<String> out = new HashSet<>();
    for (int k = 0; k < n; k++) out.add(prefix + (k * 3));
    return out;
  }

  private EvaluationContext nextCaller() {
    return callers[next++ & (CALLERS - 1)];
  }

  /** {@code GET /flags/{name}/enabled}: look a flag up by name and evaluate it. */
  @Benchmark
  public boolean oneFlagByName() {
    int i = next++;
    return FlagEvaluator.isEnabled(snapshot, names[i % FLAGS], callers[i & (CALLERS - 1)]);
  }

  /** The evaluation itself over all 1,000 flags for one caller. */
  @Benchmark
  @OperationsPerInvocation(FLAGS)
  public int allFlags() {
    EvaluationContext caller = nextCaller();
    int on = 0;
    for (Flag f : snapshot.flags()) {
      if (FlagEvaluator.isEnabled(f, caller)) on++;
    }
    return on;
  }

  /** {@code GET /flags/enabled}: all 1,000 flags into the name → boolean map the endpoint returns. */
  @Benchmark
  @OperationsPerInvocation(FLAGS)
  public void allFlagsAsMap(Blackhole bh) {
    bh.consume(FlagEvaluator.evaluateAll(snapshot, nextCaller()));
  }

  /** Today's simple flag (legacy: a 50 % rollout) by name, as {@code GET /flags/{name}/enabled} does. */
  @Benchmark
  public boolean simpleFlag() {
    return FlagEvaluator.isEnabled(small, "simple", ruleCallers[next++ & (CALLERS - 1)]);
  }

  /** The rule flag (3 rules × 4 constraints, 3 variants) by name: value, variant and reason. */
  @Benchmark
  public Evaluation ruleFlag() {
    return FlagEvaluator.evaluate(small, "rich", ruleCallers[next++ & (CALLERS - 1)]);
  }
}
