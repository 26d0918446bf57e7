package dev.systemtables.flags;

import dev.systemtables.common.BadInput;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Maps Unleash's client-API feature format ({@code {"version", "features": [...], "segments": [...]}}, also the
 * delta API's {@code {"events": [...]}}) onto this service's flag model, as pure data: no database, no I/O.
 *
 * <p>The mapping keeps Unleash's answers: names, group ids and weights are kept, so rollout buckets and variant
 * assignments stay the same. Strategies become rules:
 * {@code default} → a rule for everybody; {@code flexibleRollout} → rollout, stickiness and group id;
 * {@code gradualRolloutUserId}/{@code SessionId}/{@code Random} → a rollout on userId/sessionId/random;
 * {@code userWithId} → {@code userId IN (…)}; {@code remoteAddress} → {@code remoteAddress IN_CIDR (…)}.
 * Variant payloads give the flag type ({@code string}/{@code csv} → string, {@code number} → number,
 * {@code json} → json, none → boolean). Segments are referred to by name ({@code "segment-<id>"} when Unleash
 * gives none).
 *
 * <p>What cannot be represented as it is, is rewritten into something that answers the same where possible, and
 * always listed in {@link Result#notRepresentable()} — never dropped silently: an unknown strategy or operator
 * matches nobody (as in Unleash's SDKs), an operand Unleash would never match makes its constraint constant, and so on.
 */
public final class UnleashImport {

  /** What Unleash calls the variant of a flag that is off or has none; the default variant of non-boolean flags. */
  public static final String DISABLED = "disabled";

  private static final Set<String> KNOWN_STRATEGIES = Set.of("default", "flexibleRollout", "gradualRolloutUserId",
      "gradualRolloutSessionId", "gradualRolloutRandom", "userWithId", "remoteAddress");
  /** Feature members with no effect on evaluation. */
  private static final Set<String> METADATA = Set.of("type", "project", "stale", "impressionData", "createdAt",
      "lastSeenAt", "description", "favorite", "archived", "archivedAt", "environment", "tags");

  /**
   * The mapped flags and segments.
   *
   * @param flags            every feature, with Unleash's name (see {@link #importable()})
   * @param segments         every segment, by name
   * @param notRepresentable human-readable notes on what was rewritten or could not be kept, one per finding
   */
  public record Result(List<NewFlag> flags, List<Segment> segments, List<String> notRepresentable) {

    public Result {
      flags = List.copyOf(flags);
      segments = List.copyOf(segments);
      notRepresentable = List.copyOf(notRepresentable);
    }

    /** The flags whose Unleash name this service accepts (lowercase kebab-case); the others are in the notes. */
    public List<NewFlag> importable() {
      return flags.stream().filter(f -> nameProblem(f.name()) == null).toList();
    }
  }

  private final List<String> notes = new ArrayList<>();
  private final Map<Object, String> segmentNames = new LinkedHashMap<>();
  private final Set<String> metadataSeen = new TreeSet<>();

  private UnleashImport() {
  }

  /** Reads an Unleash client-API (or delta API) document; throws {@link BadInput} when it is not one. */
  public static Result read(JsonObject document) {
    if (document == null) throw new BadInput("body must be an Unleash feature document");
    return new UnleashImport().map(document);
  }

  /** Why this service refuses an Unleash flag name, or null when it accepts it. */
  public static String nameProblem(String name) {
    try {
      FlagRules.checkName(name);
      return null;
    } catch (BadInput e) {
      return e.getMessage();
    }
  }

  private Result map(JsonObject document) {
    Map<String, JsonObject> features = new LinkedHashMap<>();
    Map<Object, JsonObject> segments = new LinkedHashMap<>();
    if (document.containsKey("events")) {
      replay(array(document.getValue("events"), "events"), features, segments);
    } else {
      Object rawFeatures = document.getValue("features");
      if (!(rawFeatures instanceof JsonArray)) throw new BadInput("features must be an array of Unleash features");
      JsonArray fs = (JsonArray) rawFeatures;
      for (int i = 0; i < fs.size(); i++) {
        JsonObject f = object(fs.getValue(i), "features[" + i + "]");
        String name = f.getValue("name") instanceof String s ? s : null;
        if (name == null || name.isEmpty()) throw new BadInput("features[" + i + "].name must be a non-empty string");
        if (features.put(name, f) != null) note("feature '" + name + "' appears twice; the last one is imported");
      }
      if (document.getValue("segments") != null) {
        JsonArray ss = array(document.getValue("segments"), "segments");
        for (int i = 0; i < ss.size(); i++) {
          JsonObject s = object(ss.getValue(i), "segments[" + i + "]");
          segments.put(key(s.getValue("id")), s);
        }
      }
      for (String member : document.fieldNames()) {
        if (!Set.of("version", "features", "segments", "query", "meta").contains(member)) {
          note("top-level member '" + member + "' has no meaning here and was ignored");
        }
      }
    }
    List<Segment> outSegments = mapSegments(segments);
    Map<String, FlagType> types = new LinkedHashMap<>();
    Map<String, Boolean> hasVariants = new LinkedHashMap<>();
    for (JsonObject f : features.values()) {
      types.put(f.getString("name"), typeOf(f));
      hasVariants.put(f.getString("name"), anyVariants(f));
    }
    List<NewFlag> flags = new ArrayList<>();
    for (JsonObject f : features.values()) flags.add(mapFeature(f, types, hasVariants, features));
    if (!metadataSeen.isEmpty()) {
      note("Unleash feature metadata without effect on evaluation was not imported: " + String.join(", ", metadataSeen));
    }
    return new Result(flags, outSegments, notes);
  }

  // ---- the delta API's events ------------------------------------------------------------------------------

  private void replay(JsonArray events, Map<String, JsonObject> features, Map<Object, JsonObject> segments) {
    for (int i = 0; i < events.size(); i++) {
      String at = "events[" + i + "]";
      JsonObject e = object(events.getValue(i), at);
      String type = e.getValue("type") instanceof String s ? s : "";
      switch (type) {
        case "hydration" -> {
          features.clear();
          segments.clear();
          JsonArray fs = e.getValue("features") == null ? new JsonArray() : array(e.getValue("features"), at + ".features");
          for (int j = 0; j < fs.size(); j++) {
            JsonObject f = object(fs.getValue(j), at + ".features[" + j + "]");
            features.put(f.getString("name"), f);
          }
          JsonArray ss = e.getValue("segments") == null ? new JsonArray() : array(e.getValue("segments"), at + ".segments");
          for (int j = 0; j < ss.size(); j++) {
            JsonObject s = object(ss.getValue(j), at + ".segments[" + j + "]");
            segments.put(key(s.getValue("id")), s);
          }
        }
        case "feature-updated" -> {
          JsonObject f = object(e.getValue("feature"), at + ".feature");
          features.put(f.getString("name"), f);
        }
        case "feature-removed" -> features.remove(e.getString("featureName"));
        case "segment-updated" -> {
          JsonObject s = object(e.getValue("segment"), at + ".segment");
          segments.put(key(s.getValue("id")), s);
        }
        case "segment-removed" -> segments.remove(key(e.getValue("segmentId")));
        default -> note("event " + i + " of type '" + type + "' is not a feature or segment change and was ignored");
      }
    }
  }

  // ---- segments --------------------------------------------------------------------------------------------

  private List<Segment> mapSegments(Map<Object, JsonObject> segments) {
    Set<String> used = new LinkedHashSet<>();
    for (Map.Entry<Object, JsonObject> e : segments.entrySet()) {
      JsonObject s = e.getValue();
      String name = s.getValue("name") instanceof String n && !n.isBlank() ? n : "segment-" + e.getKey();
      if (!used.add(name)) {
        String unique = name + "-" + e.getKey();
        note("segment name '" + name + "' is used by two segments; segment " + e.getKey() + " is imported as '"
            + unique + "'");
        name = unique;
        used.add(name);
      }
      segmentNames.put(e.getKey(), name);
    }
    List<Segment> out = new ArrayList<>();
    for (Map.Entry<Object, JsonObject> e : segments.entrySet()) {
      JsonObject s = e.getValue();
      String name = segmentNames.get(e.getKey());
      String where = "segment '" + name + "'";
      List<Constraint> constraints = new ArrayList<>();
      JsonArray raw = s.getValue("constraints") == null ? new JsonArray() : array(s.getValue("constraints"), where);
      for (int i = 0; i < raw.size(); i++) {
        Mapped m = constraint(raw.getValue(i), where + " constraint " + i);
        switch (m.constant) {
          case TRUE -> note(where + " constraint " + i + " always holds (" + m.why + "); it was left out");
          case FALSE -> {
            note(where + " constraint " + i + " never holds (" + m.why + "); it is imported as a contradiction "
                + "(IN and NOT_IN the same value) so that the segment matches nobody, as in Unleash");
            constraints.add(Constraint.of(m.field, Operator.IN, "never"));
            constraints.add(Constraint.of(m.field, Operator.NOT_IN, "never"));
          }
          default -> constraints.add(m.constraint);
        }
      }
      String description = s.getValue("description") instanceof String d ? d : null;
      out.add(new Segment(null, name, description, constraints, null, null, null, null));
    }
    return out;
  }

  // ---- features --------------------------------------------------------------------------------------------

  private NewFlag mapFeature(JsonObject f, Map<String, FlagType> types, Map<String, Boolean> hasVariants,
                             Map<String, JsonObject> all) {
    String name = f.getString("name");
    String where = "feature '" + name + "'";
    String problem = nameProblem(name);
    if (problem != null) {
      note(where + ": this service refuses the name (" + problem + "); rename it in Unleash to import it "
          + "(a rename changes the variant buckets, which hash the name)");
    }
    for (String member : f.fieldNames()) {
      if (METADATA.contains(member) && !"description".equals(member)) metadataSeen.add(member);
    }
    if (f.getValue("segments") != null) {
      note(where + ": feature-level segments " + f.getValue("segments") + " are not evaluated by Unleash's SDKs "
          + "(strategies carry theirs) and were ignored");
    }
    FlagType type = types.get(name);
    boolean enabled = Boolean.TRUE.equals(f.getValue("enabled"));
    String description = f.getValue("description") instanceof String d ? d : null;
    if (description != null && description.codePointCount(0, description.length()) > FlagRules.MAX_DESCRIPTION) {
      note(where + ": the description was cut to " + FlagRules.MAX_DESCRIPTION + " characters");
      description = description.substring(0, description.offsetByCodePoints(0, FlagRules.MAX_DESCRIPTION));
    }
    List<Variant> variants = variants(f.getValue("variants"), type, where + " variants");
    List<Rule> rules = new ArrayList<>();
    JsonArray strategies = f.getValue("strategies") == null ? new JsonArray()
        : array(f.getValue("strategies"), where + ".strategies");
    for (int i = 0; i < strategies.size(); i++) {
      Rule r = rule(object(strategies.getValue(i), where + ".strategies[" + i + "]"), name, type,
          where + " strategy " + i);
      if (r != null) rules.add(r);
    }
    List<Dependency> dependencies = dependencies(f.getValue("dependencies"), name, where, types, hasVariants, all);
    Variant defaultVariant = type == FlagType.BOOLEAN ? null : new Variant(DISABLED, empty(type));
    return new NewFlag(name, enabled, description, 0, null, type, variants, rules, dependencies, defaultVariant);
  }

  private Rule rule(JsonObject s, String flagName, FlagType type, String where) {
    String strategy = s.getValue("name") instanceof String n ? n : "";
    if (Boolean.TRUE.equals(s.getValue("disabled"))) {
      note(where + " ('" + strategy + "') is disabled; Unleash does not evaluate it, so it was left out");
      return null;
    }
    JsonObject parameters = s.getValue("parameters") instanceof JsonObject p ? p : new JsonObject();
    List<Constraint> constraints = new ArrayList<>();
    boolean never = false;
    Integer rollout = null;
    String groupId = null;
    String stickiness = null;
    switch (strategy) {
      case "default" -> {
      }
      case "flexibleRollout" -> {
        rollout = percentage(parameters.getValue("rollout"), where);
        groupId = text(parameters.getValue("groupId"));
        String st = text(parameters.getValue("stickiness"));
        stickiness = st == null || "default".equals(st) ? null : st;
      }
      case "gradualRolloutUserId", "gradualRolloutSessionId" -> {
        rollout = percentage(parameters.getValue("percentage"), where);
        groupId = text(parameters.getValue("groupId"));
        stickiness = strategy.endsWith("UserId") ? "userId" : "sessionId";
      }
      case "gradualRolloutRandom" -> {
        rollout = percentage(parameters.getValue("percentage"), where);
        stickiness = "random";
      }
      case "userWithId" -> {
        List<String> ids = split(parameters.getValue("userIds"));
        if (ids.isEmpty()) {
          never = true;
          note(where + " (userWithId) lists no user ids; it matches nobody");
        } else {
          constraints.add(new Constraint("userId", Operator.IN, ids, null, false, false));
        }
      }
      case "remoteAddress" -> {
        List<String> valid = new ArrayList<>();
        for (String ip : split(parameters.getValue("IPs"))) {
          if (CompiledConstraint.cidr(ip) != null) {
            valid.add(ip);
          } else {
            note(where + " (remoteAddress): '" + ip + "' is neither an address nor a range; it was left out "
                + "(Unleash never matches it either)");
          }
        }
        if (valid.isEmpty()) {
          never = true;
        } else {
          constraints.add(new Constraint("remoteAddress", Operator.IN_CIDR, valid, null, false, false));
        }
      }
      default -> {
        never = true;
        note(where + ": strategy '" + strategy + "' is not supported here (only " + String.join(", ",
            new TreeSet<>(KNOWN_STRATEGIES)) + "); it is imported as a rule that matches nobody, as Unleash's SDKs "
            + "treat a strategy they do not know");
      }
    }
    if (KNOWN_STRATEGIES.contains(strategy)) {
      Set<String> expected = switch (strategy) {
        case "flexibleRollout" -> Set.of("rollout", "groupId", "stickiness");
        case "gradualRolloutUserId", "gradualRolloutSessionId" -> Set.of("percentage", "groupId");
        case "gradualRolloutRandom" -> Set.of("percentage", "groupId");
        case "userWithId" -> Set.of("userIds");
        case "remoteAddress" -> Set.of("IPs");
        default -> Set.of();
      };
      for (String p : parameters.fieldNames()) {
        if (!expected.contains(p)) note(where + " (" + strategy + "): parameter '" + p + "' has no effect and was ignored");
      }
    }
    JsonArray rawConstraints = s.getValue("constraints") == null ? new JsonArray()
        : array(s.getValue("constraints"), where + ".constraints");
    for (int i = 0; i < rawConstraints.size(); i++) {
      Mapped m = constraint(rawConstraints.getValue(i), where + " constraint " + i);
      switch (m.constant) {
        case TRUE -> note(where + " constraint " + i + " always holds (" + m.why + "); it was left out");
        case FALSE -> {
          never = true;
          note(where + " constraint " + i + " never holds (" + m.why + "); the rule matches nobody, as in Unleash");
        }
        default -> constraints.add(m.constraint);
      }
    }
    List<String> segments = new ArrayList<>();
    if (s.getValue("segments") != null) {
      JsonArray ids = array(s.getValue("segments"), where + ".segments");
      for (int i = 0; i < ids.size(); i++) {
        Object id = key(ids.getValue(i));
        String name = segmentNames.get(id);
        if (name == null) {
          name = "segment-" + id;
          note(where + " refers to segment " + id + ", which the document does not hold; the rule matches nobody "
              + "until a segment named '" + name + "' exists");
        }
        segments.add(name);
      }
    }
    List<Variant> variants = variants(s.getValue("variants"), type, where + " variants");
    if (!variants.isEmpty() && groupId == null) {
      groupId = flagName;
      note(where + " has variants but no groupId; they are hashed with the flag name as group");
    }
    if (never) rollout = 0;
    return new Rule(constraints, segments, rollout, groupId, stickiness, variants);
  }

  private Integer percentage(Object raw, String where) {
    if (raw == null) {
      note(where + ": no rollout percentage; Unleash reads it as 0, so the rule matches nobody");
      return 0;
    }
    double n = CompiledConstraint.jsNumber(raw);
    if (Double.isNaN(n)) {
      note(where + ": rollout '" + raw + "' is not a number; the rule matches nobody, as in Unleash");
      return 0;
    }
    // Buckets are whole numbers 1–100, so the floor of a fraction takes exactly the same callers.
    int p = (int) Math.max(0, Math.min(100, Math.floor(n)));
    return p == 100 ? null : p;
  }

  private List<Dependency> dependencies(Object raw, String flagName, String where, Map<String, FlagType> types,
                                        Map<String, Boolean> hasVariants, Map<String, JsonObject> all) {
    if (raw == null) return List.of();
    JsonArray list = array(raw, where + ".dependencies");
    List<Dependency> out = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      JsonObject d = object(list.getValue(i), where + ".dependencies[" + i + "]");
      String parent = text(d.getValue("feature"));
      if (parent == null) {
        note(where + " dependency " + i + " names no feature; Unleash never satisfies it, so the flag is imported "
            + "with a dependency on '-missing-' that never holds");
        parent = "-missing-";
      }
      boolean enabled = !Boolean.FALSE.equals(d.getValue("enabled"));
      List<String> variants = new ArrayList<>();
      if (d.getValue("variants") instanceof JsonArray vs) {
        for (Object v : vs) if (v instanceof String s) variants.add(s);
      }
      if (!enabled && !variants.isEmpty()) {
        note(where + " dependency on '" + parent + "' lists variants for a parent that must be off; Unleash ignores "
            + "them, and so they were left out");
        variants.clear();
      }
      if (variants.contains(DISABLED) && types.get(parent) == FlagType.BOOLEAN && !hasVariants.getOrDefault(parent, false)) {
        // Unleash names the variant of an enabled flag without variants "disabled"; here it is "on".
        variants.replaceAll(v -> DISABLED.equals(v) ? "on" : v);
      }
      if (parent.equals(flagName)) {
        note(where + " depends on itself; Unleash never satisfies that (a parent with dependencies never is), "
            + "so the flag is imported disabled-by-dependency on '-self-'");
        parent = "-self-";
      } else if (all.containsKey(parent) && all.get(parent).getValue("dependencies") instanceof JsonArray pd
          && !pd.isEmpty()) {
        note(where + " depends on '" + parent + "', which has dependencies of its own; Unleash (and this service) "
            + "evaluate one level only, so this dependency never holds");
      } else if (!all.containsKey(parent)) {
        note(where + " depends on '" + parent + "', which the document does not hold; it holds once that flag exists");
      }
      out.add(new Dependency(parent, enabled, variants));
    }
    return out;
  }

  // ---- variants --------------------------------------------------------------------------------------------

  /** The flag type the payloads of all its variants (feature and strategies) give. */
  private FlagType typeOf(JsonObject f) {
    Set<String> kinds = new TreeSet<>();
    boolean missing = false;
    List<JsonArray> lists = new ArrayList<>();
    if (f.getValue("variants") instanceof JsonArray a) lists.add(a);
    if (f.getValue("strategies") instanceof JsonArray ss) {
      for (Object s : ss) {
        if (s instanceof JsonObject so && so.getValue("variants") instanceof JsonArray a) lists.add(a);
      }
    }
    for (JsonArray list : lists) {
      for (Object v : list) {
        if (v instanceof JsonObject vo && vo.getValue("payload") instanceof JsonObject p && p.getValue("type") instanceof String t) {
          kinds.add(t);
        } else {
          missing = true;
        }
      }
    }
    String where = "feature '" + f.getValue("name") + "'";
    if (kinds.isEmpty()) return FlagType.BOOLEAN;
    FlagType type;
    if (kinds.size() == 1 && kinds.contains("number")) {
      type = FlagType.NUMBER;
    } else if (kinds.size() == 1 && kinds.contains("json")) {
      type = FlagType.JSON;
    } else {
      type = FlagType.STRING;
      if (!Set.of("string", "csv").containsAll(kinds)) {
        note(where + ": its variants mix payload types " + kinds + "; it is imported as a string flag with the "
            + "payloads' text");
      } else if (kinds.contains("csv")) {
        note(where + ": csv payloads are imported as strings (the payload type name 'csv' is not kept)");
      }
    }
    if (missing) {
      note(where + ": some variants have no payload; they serve " + (type == FlagType.JSON ? "{}" : type == FlagType.NUMBER ? "0" : "\"\"")
          + " in this " + type.json() + " flag");
    }
    return type;
  }

  private static boolean anyVariants(JsonObject f) {
    if (f.getValue("variants") instanceof JsonArray a && !a.isEmpty()) return true;
    if (f.getValue("strategies") instanceof JsonArray ss) {
      for (Object s : ss) {
        if (s instanceof JsonObject so && so.getValue("variants") instanceof JsonArray a && !a.isEmpty()) return true;
      }
    }
    return false;
  }

  private List<Variant> variants(Object raw, FlagType type, String where) {
    if (raw == null) return List.of();
    JsonArray list = array(raw, where);
    List<Variant> out = new ArrayList<>();
    Set<String> names = new LinkedHashSet<>();
    for (int i = 0; i < list.size(); i++) {
      JsonObject v = object(list.getValue(i), where + "[" + i + "]");
      String name = text(v.getValue("name"));
      if (name == null) {
        note(where + " " + i + " has no name; it was left out");
        continue;
      }
      if (!names.add(name)) {
        note(where + ": variant name '" + name + "' is used twice; the second was left out");
        continue;
      }
      int weight = v.getValue("weight") instanceof Number n ? (int) Math.round(n.doubleValue()) : 0;
      if (weight < 0 || weight > FlagJson.MAX_WEIGHT) {
        note(where + ": variant '" + name + "' has weight " + weight + ", outside 0–" + FlagJson.MAX_WEIGHT
            + "; it was clamped");
        weight = Math.max(0, Math.min(FlagJson.MAX_WEIGHT, weight));
      }
      String stickiness = text(v.getValue("stickiness"));
      List<VariantOverride> overrides = new ArrayList<>();
      if (v.getValue("overrides") instanceof JsonArray os) {
        for (Object o : os) {
          if (o instanceof JsonObject oo && text(oo.getValue("contextName")) != null) {
            List<String> values = new ArrayList<>();
            if (oo.getValue("values") instanceof JsonArray vs) for (Object x : vs) if (x instanceof String s) values.add(s);
            overrides.add(new VariantOverride(oo.getString("contextName"), values));
          }
        }
      }
      Object value = value(v.getValue("payload"), type, where + ": variant '" + name + "'");
      out.add(new Variant(name, value, weight, stickiness, overrides));
    }
    return out;
  }

  private Object value(Object payload, FlagType type, String where) {
    if (type == FlagType.BOOLEAN) return Boolean.TRUE;
    if (!(payload instanceof JsonObject p) || p.getValue("value") == null) return empty(type);
    Object raw = p.getValue("value");
    String text = raw instanceof String s ? s : String.valueOf(raw);
    switch (type) {
      case NUMBER -> {
        double n = CompiledConstraint.jsNumber(text);
        if (Double.isNaN(n) || Double.isInfinite(n)) {
          note(where + " has number payload '" + text + "', which is not a finite number; it serves 0");
          return BigDecimal.ZERO;
        }
        try {
          return new BigDecimal(text.strip());
        } catch (NumberFormatException e) {
          return new BigDecimal(Double.toString(n));
        }
      }
      case JSON -> {
        try {
          Object decoded = Json.decodeValue(text);
          if (decoded == null) {
            note(where + " has json payload null; it serves {}");
            return Map.of();
          }
          return FlagJson.plain(decoded);
        } catch (DecodeException e) {
          note(where + " has a json payload that does not parse; it serves the text as a JSON string");
          return text;
        }
      }
      default -> {
        return text;
      }
    }
  }

  private static Object empty(FlagType type) {
    return switch (type) {
      case BOOLEAN -> Boolean.FALSE;
      case STRING -> "";
      case NUMBER -> BigDecimal.ZERO;
      case JSON -> Map.of();
    };
  }

  // ---- constraints -----------------------------------------------------------------------------------------

  private enum Constant { NONE, TRUE, FALSE }

  /** A mapped constraint, or the constant it always evaluates to (with why). */
  private record Mapped(Constraint constraint, Constant constant, String field, String why) {
  }

  private Mapped constraint(Object raw, String where) {
    if (!(raw instanceof JsonObject c)) {
      return new Mapped(null, Constant.FALSE, "userId", "it is not an object");
    }
    String field = text(c.getValue("contextName"));
    if (field == null) return new Mapped(null, Constant.FALSE, "userId", "it names no context field");
    String opName = c.getValue("operator") instanceof String s ? s : String.valueOf(c.getValue("operator"));
    Operator op = Operator.parse(opName);
    if (op == null) {
      return new Mapped(null, Constant.FALSE, field, "operator '" + opName + "' is unknown; Unleash's SDKs answer "
          + "false for it, inverted or not");
    }
    boolean inverted = Boolean.TRUE.equals(c.getValue("inverted"));
    boolean caseInsensitive = Boolean.TRUE.equals(c.getValue("caseInsensitive"));
    List<String> values = new ArrayList<>();
    if (c.getValue("values") instanceof JsonArray vs) {
      for (Object v : vs) {
        if (v instanceof String s) values.add(s);
        else if (v != null) values.add(String.valueOf(v));
      }
    }
    Object rawValue = c.getValue("value");
    String value = rawValue == null ? null : rawValue instanceof String s ? s : String.valueOf(rawValue);
    if (op == Operator.REGEX && value != null) {
      // Unleash writes REGEX with a single value; here a REGEX holds values (any of them matching).
      values.add(value);
      value = null;
    }
    // What the operator answers whatever the context, when its operands leave it no choice.
    Boolean fixed = null;
    String why = null;
    switch (op) {
      case IN, NOT_IN, STR_CONTAINS, STR_STARTS_WITH, STR_ENDS_WITH -> {
        if (CompiledConstraint.clean(values).isEmpty()) {
          fixed = op == Operator.NOT_IN;
          why = op + " with no values";
        }
      }
      case REGEX, IN_CIDR -> {
        List<String> usable = new ArrayList<>();
        for (String v : values) {
          boolean ok = op == Operator.REGEX ? CompiledConstraint.pattern(v, caseInsensitive) != null
              : CompiledConstraint.cidr(v.trim()) != null;
          if (ok) usable.add(v);
          else note(where + ": " + op + " value '" + v + "' is invalid and never matches; it was left out");
        }
        values = usable;
        if (op == Operator.IN_CIDR && CompiledConstraint.clean(values).isEmpty() || values.isEmpty()) {
          fixed = false;
          why = op + " with no valid values";
        }
      }
      default -> {
        Constraint probe = new Constraint(field, op, List.of(), value, false, false);
        String problem = FlagRules.operandProblem(probe);
        if (problem != null) {
          fixed = false;
          why = op + " " + problem.replace("value must be", "value '" + value + "' is not");
        }
      }
    }
    if (fixed != null) {
      boolean result = inverted != fixed;
      return new Mapped(null, result ? Constant.TRUE : Constant.FALSE, field, why + (inverted ? ", inverted" : ""));
    }
    if (op.singleValue()) values = List.of();
    else value = null;
    return new Mapped(new Constraint(field, op, values, value, inverted, caseInsensitive), Constant.NONE, field, null);
  }

  // ---- helpers ---------------------------------------------------------------------------------------------

  private void note(String text) {
    notes.add(text);
  }

  private static List<String> split(Object raw) {
    List<String> out = new ArrayList<>();
    if (raw == null) return out;
    for (String part : String.valueOf(raw).split(",")) {
      String t = part.strip();
      if (!t.isEmpty()) out.add(t);
    }
    return out;
  }

  private static String text(Object raw) {
    return raw instanceof String s && !s.isEmpty() ? s : null;
  }

  /** Segment ids compare as text, whether Unleash sent 1 or "1". */
  private static Object key(Object id) {
    return id instanceof Number n ? String.valueOf(n.longValue()) : String.valueOf(id);
  }

  private static JsonArray array(Object raw, String at) {
    if (raw instanceof JsonArray a) return a;
    throw new BadInput(at + " must be an array");
  }

  private static JsonObject object(Object raw, String at) {
    if (raw instanceof JsonObject o) return o;
    throw new BadInput(at + " must be an object");
  }
}
