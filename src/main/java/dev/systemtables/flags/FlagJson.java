package dev.systemtables.flags;

import dev.systemtables.common.BadInput;
import dev.systemtables.common.Check;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JSON mapping of the flag records, and the bridge from Vert.x JSON to the plain Java the pure classes take.
 * The same JSON is what the API shows and what the jsonb columns ({@code variants}, {@code rules},
 * {@code dependencies}, {@code default_variant}) store:
 * <ul>
 *   <li>variant: {@code {"name", "value", "weight", "stickiness", "overrides": [{"contextName", "values"}]}}, the value
 *   of the flag's type (a JSON boolean, string, number, or any JSON for {@code json});</li>
 *   <li>default variant: {@code {"name", "value"}};</li>
 *   <li>rule: {@code {"constraints": [constraint…], "segments": [name…], "rolloutPercentage", "groupId", "stickiness",
 *   "variants": [variant…]}}; a constraint is Unleash's {@code {"contextName", "operator", "values", "value",
 *   "inverted", "caseInsensitive"}} (see {@link SegmentJson#constraintsJson});</li>
 *   <li>dependency: {@code {"flag", "enabled", "variants": [name…]}}.</li>
 * </ul>
 * The readers ({@link #type}, {@link #variants}, {@link #rules}, {@link #dependencies}, {@link #defaultVariant})
 * take a Vert.x or plain decoded JSON value and throw {@link BadInput} naming the field path, e.g.
 * {@code rules[0].constraints[1].operator}; semantic checks are {@link FlagRules}'.
 */
public final class FlagJson {

  public static final int MAX_RULES = 100;
  public static final int MAX_VARIANTS = 100;
  public static final int MAX_DEPENDENCIES = 20;
  public static final int MAX_SEGMENTS_PER_RULE = 20;
  /** Unleash's weights run 0–1000. */
  public static final int MAX_WEIGHT = 1000;
  public static final int MAX_TEXT = 100;

  private static final Set<String> VARIANT_FIELDS = Set.of("name", "value", "weight", "stickiness", "overrides");
  private static final Set<String> DEFAULT_VARIANT_FIELDS = Set.of("name", "value");
  private static final Set<String> OVERRIDE_FIELDS = Set.of("contextName", "values");
  private static final Set<String> RULE_FIELDS =
      Set.of("constraints", "segments", "rolloutPercentage", "groupId", "stickiness", "variants");
  private static final Set<String> DEPENDENCY_FIELDS = Set.of("flag", "enabled", "variants");

  private FlagJson() {
  }

  /**
   * A flag's API shape: {@code {"id", "name", "enabled", "description", "rolloutPercentage", "conditions",
   * "type", "variants", "rules", "dependencies", "defaultVariant", "createdBy", "updatedBy", "createdAt",
   * "updatedAt"}}, conditions exactly as written; {@code rules} null for a legacy flag, {@code defaultVariant}
   * null when the flag has none (a boolean flag then serves {@code "off"}).
   */
  public static JsonObject toJson(Flag f) {
    return new JsonObject()
        .put("id", f.id())
        .put("name", f.name())
        .put("enabled", f.enabled())
        .put("description", f.description())
        .put("rolloutPercentage", f.rolloutPercentage())
        .put("conditions", f.conditions() == null ? null : json(f.conditions().asWritten()))
        .put("type", f.type().json())
        .put("variants", variantsJson(f.variants()))
        .put("rules", rulesJson(f.rules()))
        .put("dependencies", dependenciesJson(f.dependencies()))
        .put("defaultVariant", variantJson(f.defaultVariant()))
        .put("createdBy", f.createdBy())
        .put("updatedBy", f.updatedBy())
        .put("createdAt", f.createdAt() == null ? null : f.createdAt().toString())
        .put("updatedAt", f.updatedAt() == null ? null : f.updatedAt().toString());
  }

  // ---- writing --------------------------------------------------------------------------------------------

  /** A default variant's JSON, {@code {"name", "value"}}; null for null. */
  public static JsonObject variantJson(Variant v) {
    return v == null ? null : new JsonObject().put("name", v.name()).put("value", json(v.value()));
  }

  /** Weighted variants, every member written. */
  public static JsonArray variantsJson(List<Variant> variants) {
    JsonArray out = new JsonArray();
    for (Variant v : variants) {
      JsonArray overrides = new JsonArray();
      for (VariantOverride o : v.overrides()) {
        overrides.add(new JsonObject().put("contextName", o.contextName())
            .put("values", new JsonArray(new ArrayList<>(o.values()))));
      }
      out.add(new JsonObject().put("name", v.name()).put("value", json(v.value())).put("weight", v.weight())
          .put("stickiness", v.stickiness()).put("overrides", overrides));
    }
    return out;
  }

  /** Rules, every member written; null for null (a legacy flag). */
  public static JsonArray rulesJson(List<Rule> rules) {
    if (rules == null) return null;
    JsonArray out = new JsonArray();
    for (Rule r : rules) {
      out.add(new JsonObject()
          .put("constraints", SegmentJson.constraintsJson(r.constraints()))
          .put("segments", new JsonArray(new ArrayList<>(r.segments())))
          .put("rolloutPercentage", r.rolloutPercentage())
          .put("groupId", r.groupId())
          .put("stickiness", r.stickiness())
          .put("variants", variantsJson(r.variants())));
    }
    return out;
  }

  /** Dependencies, every member written. */
  public static JsonArray dependenciesJson(List<Dependency> dependencies) {
    JsonArray out = new JsonArray();
    for (Dependency d : dependencies) {
      out.add(new JsonObject().put("flag", d.flag()).put("enabled", d.enabled())
          .put("variants", new JsonArray(new ArrayList<>(d.variants()))));
    }
    return out;
  }

  /** Constraints as {@link SegmentJson#constraintsJson} writes them (one form for rules and segments). */
  public static JsonArray constraintsJson(List<Constraint> constraints) {
    return SegmentJson.constraintsJson(constraints);
  }

  // ---- reading --------------------------------------------------------------------------------------------

  /** {@code "boolean"}, {@code "string"}, {@code "number"} or {@code "json"}; null (absent) gives null. */
  public static FlagType type(Object raw, String field) {
    if (raw == null) return null;
    FlagType t = raw instanceof String s ? FlagType.parse(s) : null;
    if (t == null) throw new BadInput(field + " must be one of boolean, string, number, json");
    return t;
  }

  /** A list of weighted variants of this type (null → empty list). */
  public static List<Variant> variants(Object raw, FlagType type, String field) {
    if (raw == null) return List.of();
    List<?> list = list(raw, field, MAX_VARIANTS);
    List<Variant> out = new ArrayList<>(list.size());
    Set<String> names = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      String at = field + "[" + i + "]";
      Map<?, ?> m = object(list.get(i), at, VARIANT_FIELDS);
      String name = text(m.get("name"), at + ".name", true);
      Check.that(names.add(name), at + ".name '" + name + "' is used twice in " + field);
      Object value = FlagRules.value(plain(m.get("value")), type, at + ".value");
      int weight = integer(m.get("weight"), at + ".weight", 0, MAX_WEIGHT, null);
      String stickiness = text(m.get("stickiness"), at + ".stickiness", false);
      List<VariantOverride> overrides = new ArrayList<>();
      Object rawOverrides = m.get("overrides");
      if (rawOverrides != null) {
        List<?> ol = list(rawOverrides, at + ".overrides", 100);
        for (int j = 0; j < ol.size(); j++) {
          String oat = at + ".overrides[" + j + "]";
          Map<?, ?> o = object(ol.get(j), oat, OVERRIDE_FIELDS);
          overrides.add(new VariantOverride(text(o.get("contextName"), oat + ".contextName", true),
              strings(o.get("values"), oat + ".values", SegmentJson.MAX_VALUES)));
        }
      }
      out.add(new Variant(name, value, weight, stickiness, overrides));
    }
    return out;
  }

  /** A default variant {@code {"name", "value"}} of this type; null gives null. */
  public static Variant defaultVariant(Object raw, FlagType type, String field) {
    if (raw == null) return null;
    Map<?, ?> m = object(raw, field, DEFAULT_VARIANT_FIELDS);
    String name = text(m.get("name"), field + ".name", true);
    return new Variant(name, FlagRules.value(plain(m.get("value")), type, field + ".value"));
  }

  /** Rules (null gives null: a legacy flag); variants of rules have this type. */
  public static List<Rule> rules(Object raw, FlagType type, String field) {
    if (raw == null) return null;
    List<?> list = list(raw, field, MAX_RULES);
    List<Rule> out = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      String at = field + "[" + i + "]";
      Map<?, ?> m = object(list.get(i), at, RULE_FIELDS);
      Object rawConstraints = m.get("constraints");
      List<Constraint> constraints = rawConstraints == null ? List.of()
          : SegmentJson.constraints(json(plain(rawConstraints)), at + ".constraints");
      FlagRules.checkOperands(constraints, at + ".constraints");
      List<String> segments = m.get("segments") == null ? List.of()
          : strings(m.get("segments"), at + ".segments", MAX_SEGMENTS_PER_RULE);
      for (int j = 0; j < segments.size(); j++) {
        Check.that(!segments.get(j).isBlank() && segments.get(j).length() <= SegmentJson.MAX_NAME,
            at + ".segments[" + j + "] must be a segment name of 1–" + SegmentJson.MAX_NAME + " characters");
      }
      Integer rollout = m.get("rolloutPercentage") == null ? null
          : integer(m.get("rolloutPercentage"), at + ".rolloutPercentage", 0, 100, null);
      String groupId = text(m.get("groupId"), at + ".groupId", false);
      String stickiness = text(m.get("stickiness"), at + ".stickiness", false);
      List<Variant> variants = variants(m.get("variants"), type, at + ".variants");
      out.add(new Rule(constraints, segments, rollout, groupId, stickiness, variants));
    }
    return out;
  }

  /** Dependencies (null → empty list): {@code enabled} defaults to true, {@code variants} to none. */
  public static List<Dependency> dependencies(Object raw, String field) {
    if (raw == null) return List.of();
    List<?> list = list(raw, field, MAX_DEPENDENCIES);
    List<Dependency> out = new ArrayList<>(list.size());
    Set<String> parents = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      String at = field + "[" + i + "]";
      Map<?, ?> m = object(list.get(i), at, DEPENDENCY_FIELDS);
      String flag = text(m.get("flag"), at + ".flag", true);
      Check.that(parents.add(flag), at + ".flag '" + flag + "' is listed twice");
      Object enabled = m.get("enabled");
      Check.that(enabled == null || enabled instanceof Boolean, at + ".enabled must be a boolean");
      List<String> variants = m.get("variants") == null ? List.of()
          : strings(m.get("variants"), at + ".variants", MAX_VARIANTS);
      boolean on = enabled == null || (Boolean) enabled;
      Check.that(on || variants.isEmpty(), at + ".variants can only be required of a parent that must be on");
      out.add(new Dependency(flag, on, variants));
    }
    return out;
  }

  private static List<?> list(Object raw, String field, int max) {
    Object p = plain(raw);
    if (!(p instanceof List<?> l)) throw new BadInput(field + " must be an array");
    Check.that(l.size() <= max, field + " may hold at most " + max + " entries");
    return l;
  }

  private static Map<?, ?> object(Object raw, String at, Set<String> fields) {
    Object p = plain(raw);
    if (!(p instanceof Map<?, ?> m)) throw new BadInput(at + " must be an object");
    for (Object key : m.keySet()) {
      Check.that(fields.contains(String.valueOf(key)),
          at + "." + key + " is not a known field (" + String.join(", ", new java.util.TreeSet<>(fields)) + ")");
    }
    return m;
  }

  private static String text(Object raw, String at, boolean required) {
    if (raw == null) {
      Check.that(!required, at + " is required");
      return null;
    }
    if (!(raw instanceof String s)) throw new BadInput(at + " must be a string");
    Check.that(!s.isBlank(), at + " must not be empty");
    Check.that(s.length() <= MAX_TEXT, at + " must be at most " + MAX_TEXT + " characters");
    Check.that(Check.noControl(s), at + " must not contain control characters");
    return s;
  }

  private static List<String> strings(Object raw, String at, int max) {
    List<?> l = list(raw, at, max);
    List<String> out = new ArrayList<>(l.size());
    for (int i = 0; i < l.size(); i++) {
      if (!(l.get(i) instanceof String s)) throw new BadInput(at + "[" + i + "] must be a string");
      out.add(s);
    }
    return out;
  }

  private static int integer(Object raw, String at, int min, int max, Integer fallback) {
    if (raw == null) {
      if (fallback != null) return fallback;
      throw new BadInput(at + " is required");
    }
    if (raw instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
        && n.doubleValue() >= min && n.doubleValue() <= max) {
      return n.intValue();
    }
    throw new BadInput(at + " must be an integer from " + min + " to " + max);
  }

  /** Decoded JSON as plain maps, lists and scalars, recursively. */
  static Object plain(Object value) {
    if (value instanceof JsonObject o) {
      Map<String, Object> m = new LinkedHashMap<>();
      o.forEach(e -> m.put(e.getKey(), plain(e.getValue())));
      return m;
    }
    if (value instanceof JsonArray a) {
      List<Object> l = new ArrayList<>(a.size());
      a.forEach(v -> l.add(plain(v)));
      return l;
    }
    if (value instanceof Map<?, ?> m) return plain(new JsonObject(castMap(m)));
    if (value instanceof List<?> l) return plain(new JsonArray(new ArrayList<>(l)));
    return value;
  }

  /** Plain maps and lists back into Vert.x JSON values. */
  @SuppressWarnings("unchecked")
  static Object json(Object plain) {
    if (plain instanceof Map<?, ?> m) return new JsonObject((Map<String, Object>) m);
    if (plain instanceof List<?> l) return new JsonArray((List<Object>) l);
    return plain;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> castMap(Map<?, ?> m) {
    return (Map<String, Object>) m;
  }
}
