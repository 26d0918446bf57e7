package dev.systemtables.flags;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Unleash's public client specification (npm {@code @unleash/client-specification}, pinned by
 * {@code src/test/unleash-spec/package-lock.json}; {@code .ci/run} installs it with {@code npm ci}): every file
 * listed in {@code specifications/index.json} is imported through {@link UnleashImport#read}, evaluated with
 * {@link FlagEvaluator#evaluate}, and every {@code tests[].expectedResult} and {@code variantTests[].expectedResult}
 * is checked. Cases that cannot pass for a principled reason are listed in {@link #SKIPPED} with the reason; none is
 * dropped silently, and the per-file counts are printed.
 */
@DisplayName("Unleash client specification: every expected result of every published file")
class UnleashConformanceTest {

  static final Path SPEC = Path.of("src/test/unleash-spec/node_modules/@unleash/client-specification/specifications");

  /** file → test description → why it cannot pass here. */
  static final Map<String, Map<String, String>> SKIPPED = Map.of();

  static final Map<String, int[]> COUNTS = new ConcurrentHashMap<>();

  @TestFactory
  @DisplayName("each file's tests and variant tests")
  List<DynamicNode> specification() throws IOException {
    Path index = SPEC.resolve("index.json");
    String missing = "the Unleash specification is not installed: run `npm ci --no-audit --no-fund` in src/test/unleash-spec";
    // CI installs it (.ci/run), so there a missing specification is a failure, never a silent skip.
    if ("true".equals(System.getenv("CI"))) assertThat(index).as(missing).exists();
    Assumptions.assumeTrue(Files.exists(index), missing);
    JsonArray files = new JsonArray(Files.readString(index));
    assertThat(files).isNotEmpty();
    List<DynamicNode> out = new ArrayList<>();
    for (Object f : files) {
      String file = (String) f;
      JsonObject spec = new JsonObject(Files.readString(SPEC.resolve(file)));
      out.add(DynamicContainer.dynamicContainer(file, cases(file, spec)));
    }
    out.add(DynamicTest.dynamicTest("summary: every case ran or is listed as skipped", () -> {
      int total = 0;
      for (Object f : files) {
        int[] c = COUNTS.getOrDefault((String) f, new int[2]);
        System.out.printf("unleash-spec %-45s passed %3d, skipped %d%n", f, c[0], c[1]);
        total += c[0];
      }
      System.out.printf("unleash-spec total: %d passed, %d skipped%n", total,
          COUNTS.values().stream().mapToInt(c -> c[1]).sum());
      assertThat(total).isGreaterThan(200);
    }));
    return out;
  }

  List<DynamicTest> cases(String file, JsonObject spec) {
    UnleashImport.Result imported = UnleashImport.read(spec.getJsonObject("state"));
    // Evaluate what the store would keep: every flag and segment written to its JSON and read back through the
    // validating readers the API and the store use (so an import can always be stored).
    List<Flag> flags = new ArrayList<>();
    for (NewFlag n : imported.flags()) {
      Flag f = new Flag("id-" + n.name(), n.name(), n.enabled(), n.description(), n.rolloutPercentage(),
          n.conditions(), null, null, null, null, n.type(), n.variants(), n.rules(), n.dependencies(),
          n.defaultVariant());
      JsonObject json = new JsonObject(FlagJson.toJson(f).encode());
      FlagType type = FlagJson.type(json.getValue("type"), "type");
      Flag stored = new Flag(f.id(), f.name(), f.enabled(), f.description(), 0, null, null, null, null, null, type,
          FlagJson.variants(json.getValue("variants"), type, "variants"),
          FlagJson.rules(json.getValue("rules"), type, "rules"),
          FlagJson.dependencies(json.getValue("dependencies"), "dependencies"),
          FlagJson.defaultVariant(json.getValue("defaultVariant"), type, "defaultVariant"));
      assertThat(stored).as(file + ": " + n.name() + " survives its JSON").isEqualTo(f);
      flags.add(stored);
    }
    List<Segment> segments = new ArrayList<>();
    for (Segment s : imported.segments()) {
      JsonArray json = new JsonArray(FlagJson.constraintsJson(s.constraints()).encode());
      List<Constraint> constraints = SegmentJson.constraints(json, "constraints");
      FlagRules.checkOperands(constraints, "constraints");
      assertThat(constraints).isEqualTo(s.constraints());
      segments.add(s);
    }
    FlagSnapshot snapshot = FlagSnapshot.of(flags, segments, Instant.EPOCH);
    Map<String, String> skips = SKIPPED.getOrDefault(file, Map.of());
    List<DynamicTest> out = new ArrayList<>();
    JsonArray tests = spec.getJsonArray("tests", new JsonArray());
    for (int i = 0; i < tests.size(); i++) {
      JsonObject t = tests.getJsonObject(i);
      String description = t.getString("description");
      out.add(DynamicTest.dynamicTest(description, () -> {
        if (skip(file, skips, description)) return;
        Evaluation e = FlagEvaluator.evaluate(snapshot, t.getString("toggleName"), context(t.getJsonObject("context")));
        assertThat(e.enabled()).as(description + " → " + e).isEqualTo(t.getBoolean("expectedResult"));
        COUNTS.computeIfAbsent(file, k -> new int[2])[0]++;
      }));
    }
    JsonArray variantTests = spec.getJsonArray("variantTests", new JsonArray());
    for (int i = 0; i < variantTests.size(); i++) {
      JsonObject t = variantTests.getJsonObject(i);
      String description = t.getString("description");
      out.add(DynamicTest.dynamicTest("variant: " + description, () -> {
        if (skip(file, skips, description)) return;
        String name = t.getString("toggleName");
        Evaluation e = FlagEvaluator.evaluate(snapshot, name, context(t.getJsonObject("context")));
        JsonObject expected = t.getJsonObject("expectedResult");
        JsonObject actual = unleashVariant(snapshot.get(name), e);
        assertThat(actual.getString("name")).as(description + " → " + e).isEqualTo(expected.getString("name"));
        assertThat(actual.getBoolean("enabled")).as(description).isEqualTo(expected.getBoolean("enabled"));
        assertThat(actual.getBoolean("feature_enabled")).as(description)
            .isEqualTo(expected.getBoolean("feature_enabled"));
        JsonObject payload = expected.getJsonObject("payload");
        if (payload == null) {
          assertThat(actual.getValue("payload")).as(description).isNull();
        } else {
          JsonObject got = actual.getJsonObject("payload");
          assertThat(got).as(description + " payload").isNotNull();
          assertThat(got.getString("type")).as(description).isEqualTo(payload.getString("type"));
          if ("json".equals(payload.getString("type"))) {
            assertThat(Json.decodeValue(got.getString("value"))).isEqualTo(Json.decodeValue(payload.getString("value")));
          } else {
            assertThat(got.getString("value")).as(description).isEqualTo(payload.getString("value"));
          }
        }
        COUNTS.computeIfAbsent(file, k -> new int[2])[0]++;
      }));
    }
    return out;
  }

  static boolean skip(String file, Map<String, String> skips, String description) {
    String reason = skips.get(description);
    if (reason == null) return false;
    COUNTS.computeIfAbsent(file, k -> new int[2])[1]++;
    Assumptions.abort("skipped: " + reason);
    return true;
  }

  /** An Unleash context: its fields, {@code properties}, and any other member (Unleash resolves those too). */
  static EvaluationContext context(JsonObject c) {
    Map<String, Object> attributes = new HashMap<>();
    JsonObject properties = c.getJsonObject("properties", new JsonObject());
    properties.forEach(e -> attributes.put(e.getKey(), e.getValue()));
    Set<String> own = Set.of("userId", "sessionId", "remoteAddress", "environment", "appName", "currentTime",
        "properties");
    c.forEach(e -> {
      if (!own.contains(e.getKey())) attributes.put(e.getKey(), e.getValue());
    });
    String time = c.getString("currentTime");
    return new EvaluationContext(c.getString("userId"), null, null, null, attributes, c.getString("sessionId"),
        c.getString("remoteAddress"), c.getString("environment"), c.getString("appName"),
        time == null ? null : Instant.parse(time));
  }

  /**
   * The evaluation as Unleash's {@code getVariant} would answer it: a disabled flag (or missing) is
   * {@code {name: "disabled", enabled: false, feature_enabled: false}}; an enabled flag whose answer is none of its
   * declared variants (it has none, or their weights add up to 0) is {@code {name: "disabled", enabled: false,
   * feature_enabled: true}}; otherwise the variant with its payload.
   */
  static JsonObject unleashVariant(Flag flag, Evaluation e) {
    if (flag == null || !e.enabled()) {
      return new JsonObject().put("name", "disabled").put("enabled", false).put("feature_enabled", false);
    }
    Set<String> declared = new java.util.HashSet<>();
    flag.variants().forEach(v -> declared.add(v.name()));
    flag.rules().forEach(r -> r.variants().forEach(v -> declared.add(v.name())));
    if (!declared.contains(e.variant())) {
      return new JsonObject().put("name", "disabled").put("enabled", false).put("feature_enabled", true);
    }
    JsonObject out = new JsonObject().put("name", e.variant()).put("enabled", true).put("feature_enabled", true);
    switch (flag.type()) {
      case STRING -> out.put("payload", new JsonObject().put("type", "string").put("value", e.value()));
      case NUMBER -> out.put("payload", new JsonObject().put("type", "number")
          .put("value", ((BigDecimal) e.value()).toPlainString()));
      case JSON -> out.put("payload", new JsonObject().put("type", "json").put("value", Json.encode(e.value())));
      default -> {
      }
    }
    return out;
  }
}
