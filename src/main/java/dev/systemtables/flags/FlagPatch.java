package dev.systemtables.flags;

import dev.systemtables.common.BadInput;
import dev.systemtables.common.Check;
import dev.systemtables.common.Fields;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * The fields a PATCH changes; a null member is left as it is. {@code description}, {@code conditions},
 * {@code rules} (null: back to a legacy flag) and {@code defaultVariant} may be cleared, so for them presence is
 * told apart from null. {@code type}, {@code variants} and {@code dependencies} null keep the flag's.
 */
public record FlagPatch(String name, Boolean enabled, boolean setsDescription, String description,
                        Integer rolloutPercentage, boolean setsConditions, FlagConditions conditions,
                        FlagType type, List<Variant> variants, boolean setsRules, List<Rule> rules,
                        List<Dependency> dependencies, boolean setsDefaultVariant, Variant defaultVariant) {

  /** A patch of the legacy fields only. */
  public FlagPatch(String name, Boolean enabled, boolean setsDescription, String description,
                   Integer rolloutPercentage, boolean setsConditions, FlagConditions conditions) {
    this(name, enabled, setsDescription, description, rolloutPercentage, setsConditions, conditions,
        null, null, false, null, null, false, null);
  }

  /**
   * The flag with this patch applied and checked ({@link FlagRules#check(Flag)}: throws {@link BadInput} when the
   * result is inconsistent, e.g. a variant value of another type than the flag's). A flag that gets rules loses its
   * conditions and rollout (a rule flag has neither).
   */
  Flag applyTo(Flag f, String actor) {
    List<Rule> newRules = setsRules ? rules : f.rules();
    FlagConditions newConditions = setsConditions ? conditions : f.conditions();
    int newRollout = rolloutPercentage != null ? rolloutPercentage : f.rolloutPercentage();
    if (newRules != null) {
      newConditions = setsConditions ? conditions : null;
      newRollout = rolloutPercentage != null ? rolloutPercentage : 0;
    }
    FlagType newType = type != null ? type : f.type();
    Flag patched = new Flag(f.id(), name != null ? name : f.name(), enabled != null ? enabled : f.enabled(),
        setsDescription ? description : f.description(), newRollout, newConditions, f.createdBy(), actor,
        f.createdAt(), f.updatedAt(), newType, typed(variants != null ? variants : f.variants(), newType),
        newRules == null ? null : newRules.stream().map(r -> new Rule(r.constraints(), r.segments(),
            r.rolloutPercentage(), r.groupId(), r.stickiness(), typed(r.variants(), newType))).toList(),
        dependencies != null ? dependencies : f.dependencies(),
        typed(setsDefaultVariant ? defaultVariant : f.defaultVariant(), newType));
    FlagRules.check(patched);
    return patched;
  }

  /**
   * Variants read before the flag's type was known hold plain JSON numbers: a number flag's values become
   * {@link java.math.BigDecimal} here; anything else is left for {@code FlagRules.check} to judge.
   */
  private static List<Variant> typed(List<Variant> variants, FlagType type) {
    if (type != FlagType.NUMBER) return variants;
    return variants.stream().map(v -> typed(v, type)).toList();
  }

  private static Variant typed(Variant v, FlagType type) {
    if (v == null || type != FlagType.NUMBER || !(v.value() instanceof Number n) || v.value() instanceof java.math.BigDecimal) {
      return v;
    }
    java.math.BigDecimal d = FlagEvaluator.decimal(n);
    return d == null ? v : new Variant(v.name(), d, v.weight(), v.stickiness(), v.overrides());
  }

  /** Reads a PATCH body; throws {@link BadInput} naming the field, or when it changes nothing. */
  public static FlagPatch fromJson(JsonObject body) {
    NewFlag.rejectUnknown(body);
    for (String field : new String[] {"name", "enabled", "rolloutPercentage"}) {
      Check.that(!(body.containsKey(field) && body.getValue(field) == null), field + " must not be null");
    }
    String name = null;
    if (body.containsKey("name")) {
      name = Fields.optionalString(body, "name");
      FlagRules.checkName(name);
    }
    Boolean enabled = body.containsKey("enabled") ? Fields.optionalBoolean(body, "enabled") : null;
    String description = Fields.optionalString(body, "description");
    FlagRules.checkDescription(description);
    Integer rollout = null;
    if (body.containsKey("rolloutPercentage")) {
      rollout = Fields.optionalInt(body, "rolloutPercentage");
      FlagRules.checkRolloutPercentage(rollout);
    }
    // Explicit null clears the conditions; absence keeps them.
    FlagConditions conditions = FlagRules.conditions(FlagJson.plain(Fields.optionalObject(body, "conditions")));
    Check.that(!(body.containsKey("type") && body.getValue("type") == null), "type must not be null");
    FlagType type = FlagJson.type(body.getValue("type"), "type");
    // Without a type in the body the flag's is not known here: values are read as JSON and checked against the
    // flag's type once the patch is applied (FlagRules.check).
    FlagType readAs = type != null ? type : FlagType.JSON;
    List<Variant> variants = body.containsKey("variants") ? FlagJson.variants(body.getValue("variants"), readAs, "variants") : null;
    List<Rule> rules = FlagJson.rules(body.getValue("rules"), readAs, "rules");
    List<Dependency> dependencies = body.containsKey("dependencies")
        ? FlagJson.dependencies(body.getValue("dependencies"), "dependencies") : null;
    Variant defaultVariant = FlagJson.defaultVariant(body.getValue("defaultVariant"), readAs, "defaultVariant");
    FlagPatch patch = new FlagPatch(name, enabled, body.containsKey("description"), description, rollout,
        body.containsKey("conditions"), conditions, type, variants, body.containsKey("rules"), rules, dependencies,
        body.containsKey("defaultVariant"), defaultVariant);
    Check.that(name != null || enabled != null || patch.setsDescription || rollout != null || patch.setsConditions
            || type != null || variants != null || patch.setsRules || dependencies != null || patch.setsDefaultVariant,
        "body changes no field (name, enabled, description, rolloutPercentage, conditions, type, variants, rules, "
            + "dependencies, defaultVariant)");
    return patch;
  }
}
