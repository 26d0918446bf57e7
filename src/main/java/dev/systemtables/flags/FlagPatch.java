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
   * The flag with this patch applied. A flag that gets rules loses its conditions and rollout (a rule flag has
   * neither); check the result with {@code FlagRules.check(Flag)} before storing it.
   */
  Flag applyTo(Flag f, String actor) {
    List<Rule> newRules = setsRules ? rules : f.rules();
    FlagConditions newConditions = setsConditions ? conditions : f.conditions();
    int newRollout = rolloutPercentage != null ? rolloutPercentage : f.rolloutPercentage();
    if (newRules != null) {
      newConditions = setsConditions ? conditions : null;
      newRollout = rolloutPercentage != null ? rolloutPercentage : 0;
    }
    return new Flag(f.id(), name != null ? name : f.name(), enabled != null ? enabled : f.enabled(),
        setsDescription ? description : f.description(), newRollout, newConditions, f.createdBy(), actor,
        f.createdAt(), f.updatedAt(), type != null ? type : f.type(), variants != null ? variants : f.variants(),
        newRules, dependencies != null ? dependencies : f.dependencies(),
        setsDefaultVariant ? defaultVariant : f.defaultVariant());
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
    FlagPatch patch = new FlagPatch(name, enabled, body.containsKey("description"), description, rollout,
        body.containsKey("conditions"), conditions);
    Check.that(name != null || enabled != null || patch.setsDescription || rollout != null || patch.setsConditions,
        "body changes no field (name, enabled, description, rolloutPercentage, conditions)");
    return patch;
  }
}
