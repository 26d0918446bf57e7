package dev.systemtables.flags;

import dev.systemtables.common.BadInput;
import dev.systemtables.common.Check;
import dev.systemtables.common.Fields;
import io.vertx.core.json.JsonObject;

/**
 * The fields a PATCH changes; a null member is left as it is. {@code description} and {@code conditions}
 * may be cleared, so for them presence is told apart from null.
 */
public record FlagPatch(String name, Boolean enabled, boolean setsDescription, String description,
                        Integer rolloutPercentage, boolean setsConditions, FlagConditions conditions) {

  /** The flag with this patch applied. */
  Flag applyTo(Flag f, String actor) {
    return new Flag(f.id(), name != null ? name : f.name(), enabled != null ? enabled : f.enabled(),
        setsDescription ? description : f.description(),
        rolloutPercentage != null ? rolloutPercentage : f.rolloutPercentage(),
        setsConditions ? conditions : f.conditions(), f.createdBy(), actor, f.createdAt(), f.updatedAt());
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
