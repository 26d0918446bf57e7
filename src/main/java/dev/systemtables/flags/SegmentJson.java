package dev.systemtables.flags;

import dev.systemtables.common.BadInput;
import dev.systemtables.common.Check;
import dev.systemtables.common.Fields;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The JSON form of segments ({@code {"id", "name", "description", "constraints", "createdBy", "updatedBy",
 * "createdAt", "updatedAt"}}) and the checks of a segment write. A constraint is Unleash's shape,
 * {@code {"contextName", "operator", "values", "value", "inverted", "caseInsensitive"}}; errors name the field
 * path, e.g. {@code constraints[1].operator}.
 */
public final class SegmentJson {

  public static final int MAX_NAME = 100;
  public static final int MAX_DESCRIPTION = 500;
  /** Unleash's documented limit of values in one segment. */
  public static final int MAX_VALUES = 1000;
  public static final int MAX_CONSTRAINTS = 100;

  static final Set<String> WRITABLE = Set.of("name", "description", "constraints");
  static final Set<String> READ_ONLY = Set.of("id", "createdBy", "updatedBy", "createdAt", "updatedAt");
  static final Set<String> CONSTRAINT_FIELDS =
      Set.of("contextName", "operator", "values", "value", "inverted", "caseInsensitive");

  private SegmentJson() {
  }

  /** A segment's API shape. */
  public static JsonObject toJson(Segment s) {
    return new JsonObject()
        .put("id", s.id())
        .put("name", s.name())
        .put("description", s.description())
        .put("constraints", constraintsJson(s.constraints()))
        .put("createdBy", s.createdBy())
        .put("updatedBy", s.updatedBy())
        .put("createdAt", s.createdAt() == null ? null : s.createdAt().toString())
        .put("updatedAt", s.updatedAt() == null ? null : s.updatedAt().toString());
  }

  /** Constraints in their JSON form, every member written (so equal constraints give equal JSON). */
  public static JsonArray constraintsJson(List<Constraint> constraints) {
    JsonArray out = new JsonArray();
    for (Constraint c : constraints) {
      out.add(new JsonObject()
          .put("contextName", c.contextName())
          .put("operator", c.operator() == null ? null : c.operator().name())
          .put("values", new JsonArray(new ArrayList<>(c.values())))
          .put("value", c.value())
          .put("inverted", c.inverted())
          .put("caseInsensitive", c.caseInsensitive()));
    }
    return out;
  }

  /** A create body: {@code name} required, {@code constraints} default empty. */
  public static NewSegment newSegment(JsonObject body) {
    rejectUnknown(body);
    String name = name(body);
    String description = description(body);
    List<Constraint> constraints = body.getValue("constraints") == null ? List.of() : written(body.getValue("constraints"));
    return new NewSegment(name, description, constraints);
  }

  /** A PATCH body: absent fields keep their value; {@code description} null clears it. */
  public static SegmentPatch patch(JsonObject body) {
    rejectUnknown(body);
    Check.that(!(body.containsKey("name") && body.getValue("name") == null), "name must not be null");
    Check.that(!(body.containsKey("constraints") && body.getValue("constraints") == null),
        "constraints must not be null (an empty list matches everybody)");
    String name = body.containsKey("name") ? name(body) : null;
    String description = description(body);
    List<Constraint> constraints = body.containsKey("constraints") ? written(body.getValue("constraints")) : null;
    Check.that(name != null || body.containsKey("description") || constraints != null,
        "body changes no field (name, description, constraints)");
    return new SegmentPatch(name, body.containsKey("description"), description, constraints);
  }

  /**
   * Constraints of a create or a PATCH: checked as a rule's are, operands included (a NUM_* value that is not a
   * number and the like would make the constraint never true). Rows already stored are read leniently by
   * {@link #constraints}, so a segment written before this check still loads.
   */
  private static List<Constraint> written(Object raw) {
    List<Constraint> constraints = constraints(raw, "constraints");
    FlagRules.checkOperands(constraints, "constraints");
    return constraints;
  }

  /** Reads constraints written by the service (or an import); throws {@link BadInput} naming {@code field}. */
  public static List<Constraint> constraints(Object raw, String field) {
    if (!(raw instanceof JsonArray list)) throw new BadInput(field + " must be an array of constraints");
    Check.that(list.size() <= MAX_CONSTRAINTS, field + " may hold at most " + MAX_CONSTRAINTS + " constraints");
    List<Constraint> out = new ArrayList<>(list.size());
    int values = 0;
    for (int i = 0; i < list.size(); i++) {
      String at = field + "[" + i + "]";
      if (!(list.getValue(i) instanceof JsonObject c)) throw new BadInput(at + " must be an object");
      for (String member : c.fieldNames()) {
        Check.that(CONSTRAINT_FIELDS.contains(member), at + "." + member
            + " is not a field of a constraint (contextName, operator, values, value, inverted, caseInsensitive)");
      }
      String contextName = Fields.optionalString(c, at + ".", "contextName");
      Check.that(contextName != null && !contextName.isBlank(), at + ".contextName is required");
      Check.that(contextName.length() <= 100, at + ".contextName must be at most 100 characters");
      String opName = Fields.optionalString(c, at + ".", "operator");
      Check.that(opName != null, at + ".operator is required");
      Operator op = Operator.parse(opName);
      if (op == null) throw new BadInput(at + ".operator '" + opName + "' is not an operator (" + Check.names(Operator.class) + ")");
      List<String> vals = new ArrayList<>();
      Object rawValues = c.getValue("values");
      if (rawValues != null) {
        if (!(rawValues instanceof JsonArray a)) throw new BadInput(at + ".values must be an array of strings");
        for (int j = 0; j < a.size(); j++) {
          Object v = a.getValue(j);
          if (!(v instanceof String s)) throw new BadInput(at + ".values[" + j + "] must be a string");
          vals.add(s);
        }
      }
      Object rawValue = c.getValue("value");
      String value;
      if (rawValue == null) {
        value = null;
      } else if (rawValue instanceof String s) {
        value = s;
      } else if (rawValue instanceof Number n) {
        value = new BigDecimal(n.toString()).toPlainString();
      } else {
        throw new BadInput(at + ".value must be a string or a number");
      }
      if (op.singleValue()) {
        Check.that(value != null, at + ".value is required for " + op);
      } else {
        Check.that(!vals.isEmpty(), at + ".values must hold at least one value for " + op);
      }
      values += vals.size();
      Check.that(values <= MAX_VALUES, field + " may hold at most " + MAX_VALUES + " values in all");
      Boolean inverted = bool(c, "inverted", at);
      Boolean caseInsensitive = bool(c, "caseInsensitive", at);
      out.add(new Constraint(contextName, op, vals, value, inverted != null && inverted,
          caseInsensitive != null && caseInsensitive));
    }
    return out;
  }

  private static Boolean bool(JsonObject c, String member, String at) {
    Object v = c.getValue(member);
    if (v != null && !(v instanceof Boolean)) throw new BadInput(at + "." + member + " must be a boolean");
    return (Boolean) v;
  }

  private static String name(JsonObject body) {
    String name = Fields.optionalString(body, "name");
    Check.that(name != null, "name is required");
    Check.that(!name.isBlank(), "name must not be empty");
    Check.that(name.length() <= MAX_NAME, "name must be at most " + MAX_NAME + " characters");
    Check.that(Check.noControl(name), "name must not contain control characters");
    return name;
  }

  private static String description(JsonObject body) {
    return Check.optionalText("description", Fields.optionalString(body, "description"), MAX_DESCRIPTION);
  }

  private static void rejectUnknown(JsonObject body) {
    for (String field : body.fieldNames()) {
      Check.that(WRITABLE.contains(field) || READ_ONLY.contains(field), field + " is not a field of a segment");
    }
  }

  /** A segment to create, checked. */
  public record NewSegment(String name, String description, List<Constraint> constraints) {
  }

  /** The fields a segment PATCH changes; null members (and {@code setsDescription} false) are kept. */
  public record SegmentPatch(String name, boolean setsDescription, String description, List<Constraint> constraints) {

    Segment applyTo(Segment s) {
      return new Segment(s.id(), name != null ? name : s.name(), setsDescription ? description : s.description(),
          constraints != null ? constraints : s.constraints(), s.createdBy(), s.updatedBy(), s.createdAt(),
          s.updatedAt());
    }
  }
}
