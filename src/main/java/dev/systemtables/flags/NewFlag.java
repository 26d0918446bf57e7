package dev.systemtables.flags;

import dev.systemtables.common.BadInput;
import dev.systemtables.common.Check;
import dev.systemtables.common.Fields;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Set;

/**
 * A flag to create, checked: defaults applied ({@code enabled} false, {@code rolloutPercentage} 0, type BOOLEAN).
 * {@code rules} null makes a legacy flag (conditions + rollout); the other new members follow {@link Flag}.
 */
public record NewFlag(String name, boolean enabled, String description, int rolloutPercentage,
                      FlagConditions conditions, FlagType type, List<Variant> variants, List<Rule> rules,
                      List<Dependency> dependencies, Variant defaultVariant) {

  public NewFlag {
    type = type == null ? FlagType.BOOLEAN : type;
    variants = variants == null ? List.of() : List.copyOf(variants);
    rules = rules == null ? null : List.copyOf(rules);
    dependencies = dependencies == null ? List.of() : List.copyOf(dependencies);
  }

  /** A legacy boolean flag to create. */
  public NewFlag(String name, boolean enabled, String description, int rolloutPercentage, FlagConditions conditions) {
    this(name, enabled, description, rolloutPercentage, conditions, FlagType.BOOLEAN, List.of(), null, List.of(),
        null);
  }

  /** Fields a client may send back from a GET without them meaning anything. */
  static final Set<String> READ_ONLY = Set.of("id", "createdBy", "updatedBy", "createdAt", "updatedAt");
  static final List<String> WRITABLE = List.of("name", "enabled", "description", "rolloutPercentage", "conditions",
      "type", "variants", "rules", "dependencies", "defaultVariant");

  /**
   * Reads a create request; throws {@link BadInput} naming the field (e.g. {@code rules[0].constraints[1].operator}).
   * {@code rules} present makes a rule flag, which takes neither {@code conditions} nor a {@code rolloutPercentage}.
   */
  public static NewFlag fromJson(JsonObject body) {
    rejectUnknown(body);
    String name = Fields.optionalString(body, "name");
    Boolean enabled = Fields.optionalBoolean(body, "enabled");
    String description = Fields.optionalString(body, "description");
    Integer rollout = Fields.optionalInt(body, "rolloutPercentage");
    JsonObject conditions = Fields.optionalObject(body, "conditions");
    FlagRules.checkName(name);
    FlagRules.checkDescription(description);
    if (rollout != null) FlagRules.checkRolloutPercentage(rollout);
    FlagType type = FlagJson.type(body.getValue("type"), "type");
    if (type == null) type = FlagType.BOOLEAN;
    List<Rule> rules = FlagJson.rules(body.getValue("rules"), type, "rules");
    Check.that(rules == null || rollout == null || rollout == 0,
        "rolloutPercentage: a flag with rules has no rollout of its own (give its rules a rolloutPercentage)");
    NewFlag flag = new NewFlag(name, enabled != null && enabled, description, rollout == null ? 0 : rollout,
        FlagRules.conditions(FlagJson.plain(conditions)), type,
        FlagJson.variants(body.getValue("variants"), type, "variants"), rules,
        FlagJson.dependencies(body.getValue("dependencies"), "dependencies"),
        FlagJson.defaultVariant(body.getValue("defaultVariant"), type, "defaultVariant"));
    FlagRules.check(flag);
    return flag;
  }

  static void rejectUnknown(JsonObject body) {
    for (String field : body.fieldNames()) {
      Check.that(WRITABLE.contains(field) || READ_ONLY.contains(field), field + " is not a field of a flag");
    }
  }
}
