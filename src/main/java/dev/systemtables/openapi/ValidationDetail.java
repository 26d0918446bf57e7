package dev.systemtables.openapi;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatorException;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Turns a vertx-openapi validation failure into the {@code detail} of a 400 in the house style: the field
 * first, as a caller writes it ({@code users[3].role}, {@code conditions.userRoles[1]},
 * {@code Idempotency-Key header}), then what is wrong with it. vertx-openapi's own message names the last
 * of all the schema errors it collected (often a misleading {@code additionalProperties} echo), so the
 * detail is built from the error list: the deepest real assertion wins.
 */
final class ValidationDetail {

  /** Keywords that assert something of a value; the others only combine subschemas. */
  private static final Set<String> ASSERTIONS = Set.of("type", "enum", "const", "pattern", "format",
      "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
      "minItems", "maxItems", "uniqueItems", "required", "additionalProperties", "minProperties",
      "maxProperties");
  private static final Pattern PARAMETER =
      Pattern.compile("The value of (path|query|header|cookie) parameter (\\S+?)(?: is invalid| can't be decoded|\\.|$)");
  private static final Pattern REQUIRED = Pattern.compile("required property \"(.*)\"");
  private static final String BODY_MESSAGE = "The value of the request body";

  private final ApiContract contract;

  ValidationDetail(ApiContract contract) {
    this.contract = contract;
  }

  /**
   * @param body       the decoded JSON body the operation was validated with (null when none)
   * @param parameters the raw parameter values by location ({@code path}, {@code query}, {@code header})
   */
  String detail(String operationId, ValidatorException e, Object body, Map<String, Map<String, String>> parameters) {
    String message = String.valueOf(e.getMessage());
    String where;
    JsonObject schema;
    Object instance;
    Matcher param = PARAMETER.matcher(message);
    if (message.startsWith(BODY_MESSAGE)) {
      where = null;
      schema = contract.bodySchema(operationId);
      instance = body;
    } else if (param.find()) {
      String in = param.group(1);
      String name = param.group(2);
      where = "header".equals(in) ? name + " header" : name;
      schema = contract.parameterSchema(operationId, in, name);
      instance = parameters.getOrDefault(in, Map.of()).get(name);
    } else {
      return "request is invalid: " + message;
    }
    if (!(e instanceof SchemaValidationException s) || schema == null) {
      return (where == null ? "body" : where) + " is not valid";
    }
    try {
      OutputUnit error = mostRelevant(s.getOutputUnit().getErrors(), schema);
      if (error == null) return (where == null ? "body" : where) + " is not valid";
      String location = error.getInstanceLocation().startsWith("#")
          ? error.getInstanceLocation().substring(1) : error.getInstanceLocation();
      return phrase(error, schema, instance, location, where);
    } catch (RuntimeException unexpected) {
      // A contract shape this mapping does not know yet: still a 400 naming where, never a 500.
      return (where == null ? "body" : where) + " is not valid: " + message;
    }
  }

  /** The deepest error of a real assertion (leaves out combinators and the echoes vertx-json-schema adds). */
  private OutputUnit mostRelevant(List<OutputUnit> errors, JsonObject root) {
    OutputUnit best = null;
    int bestDepth = -1;
    for (OutputUnit u : errors) {
      String keyword = lastSegment(u.getKeywordLocation());
      if (!ASSERTIONS.contains(keyword)) continue;
      JsonObject at = schemaAt(root, u.getKeywordLocation());
      if (at == null) continue;
      // A declared member that failed its own schema is also reported under additionalProperties.
      if ("additionalProperties".equals(keyword)) {
        String member = lastSegment(u.getInstanceLocation());
        if (at.getJsonObject("properties", new JsonObject()).containsKey(member)) continue;
      }
      // The null branch of a nullable oneOf always fails for a non-null value: not the point.
      if ("type".equals(keyword) && "null".equals(at.getValue("type"))) continue;
      int depth = u.getInstanceLocation().split("/", -1).length;
      if (depth > bestDepth) {
        best = u;
        bestDepth = depth;
      }
    }
    return best;
  }

  private String phrase(OutputUnit error, JsonObject root, Object instance, String location, String where) {
    String keyword = lastSegment(error.getKeywordLocation());
    JsonObject schema = schemaAt(root, error.getKeywordLocation());
    Object value = ApiContract.pointer(instance, location);
    String field = field(instance, location, where);
    String custom = schema.getString("x-invalid");
    switch (keyword) {
      case "required": {
        Matcher m = REQUIRED.matcher(String.valueOf(error.getError()));
        String member = m.find() ? m.group(1) : "a member";
        return (location.isEmpty() && where == null ? member : field + "." + member) + " is required";
      }
      case "additionalProperties":
        return field + " " + (custom != null ? custom : "is not allowed here");
      case "type":
        return field + (value == null ? " must not be null" : " must be " + types(schema.getValue("type")));
      case "minLength":
      case "maxLength":
        return field + " " + length(schema);
      case "minimum":
      case "maximum":
        return field + " " + range(schema);
      case "minItems":
        return field + (schema.getInteger("minItems") == 1 ? " must not be empty"
            : " must hold at least " + schema.getInteger("minItems") + " entries");
      case "maxItems":
        return field + " must hold at most " + schema.getInteger("maxItems") + " entries";
      default:
        break;
    }
    if (custom != null) return field + " " + custom.replace("{value}", String.valueOf(value));
    if ("enum".equals(keyword)) {
      return field + " must be one of " + schema.getJsonArray("enum").stream().map(String::valueOf)
          .collect(Collectors.joining(", "));
    }
    if ("pattern".equals(keyword)) return field + " must match " + schema.getString("pattern");
    if ("format".equals(keyword)) return field + " must be a valid " + schema.getString("format");
    if ("const".equals(keyword)) return field + " must be " + schema.getValue("const");
    return field + " is not valid";
  }

  /** A JSON pointer into the instance as a caller writes the field: {@code users[3].role}. */
  static String field(Object instance, String pointer, String where) {
    if (where != null) return where;
    if (pointer.isEmpty()) return "body";
    StringBuilder out = new StringBuilder();
    Object node = instance;
    for (String raw : pointer.substring(1).split("/", -1)) {
      String seg = raw.replace("~1", "/").replace("~0", "~");
      if (node instanceof JsonArray a) {
        out.append('[').append(seg).append(']');
        node = ApiContract.pointer(a, "/" + raw);
      } else {
        if (out.length() > 0) out.append('.');
        out.append(seg);
        node = node instanceof JsonObject o ? o.getValue(seg) : null;
      }
    }
    return out.toString();
  }

  /** The schema holding the failed keyword, following {@code $ref}s from the root the validator started at. */
  private JsonObject schemaAt(JsonObject root, String keywordLocation) {
    String loc = keywordLocation.startsWith("#") ? keywordLocation.substring(1) : keywordLocation;
    String[] segs = loc.isEmpty() ? new String[0] : loc.substring(1).split("/", -1);
    Object node = root;
    for (int i = 0; i < segs.length - 1; i++) {
      String seg = segs[i].replace("~1", "/").replace("~0", "~");
      // vertx-openapi dereferences a schema that is only a $ref before validating, so its locations skip it.
      if (!"$ref".equals(seg) && node instanceof JsonObject o && o.containsKey("$ref") && !o.containsKey(seg)) {
        node = contract.resolve(o.getString("$ref"));
      }
      if ("$ref".equals(seg) && node instanceof JsonObject o) {
        node = contract.resolve(o.getString("$ref"));
      } else {
        node = ApiContract.pointer(node, "/" + segs[i]);
      }
      if (node == null) return null;
    }
    String keyword = segs.length == 0 ? "" : segs[segs.length - 1];
    while (node instanceof JsonObject o && o.containsKey("$ref") && !o.containsKey(keyword)) {
      node = contract.resolve(o.getString("$ref"));
    }
    return node instanceof JsonObject o ? o : null;
  }

  private static String lastSegment(String pointer) {
    int slash = pointer.lastIndexOf('/');
    return (slash < 0 ? pointer : pointer.substring(slash + 1)).replace("~1", "/").replace("~0", "~");
  }

  private static String types(Object type) {
    List<?> list = type instanceof JsonArray a ? a.getList() : List.of(String.valueOf(type));
    List<String> named = list.stream().map(String::valueOf).filter(t -> !"null".equals(t)).map(ValidationDetail::article).toList();
    if (named.isEmpty()) return "null";
    if (named.size() == 1) return named.get(0);
    return String.join(", ", named.subList(0, named.size() - 1)) + " or " + named.get(named.size() - 1);
  }

  private static String article(String type) {
    return switch (type) {
      case "integer", "object", "array" -> "an " + type;
      default -> "a " + type;
    };
  }

  private static String length(JsonObject schema) {
    Integer min = schema.getInteger("minLength");
    Integer max = schema.getInteger("maxLength");
    if (min != null && max != null) return "must be " + min + "–" + max + " characters";
    if (min != null) return min == 1 ? "must not be empty" : "must be at least " + min + " characters";
    return "must be at most " + max + " characters";
  }

  private static String range(JsonObject schema) {
    Object min = schema.getValue("minimum");
    Object max = schema.getValue("maximum");
    if (min != null && max != null) return "must be between " + min + " and " + max;
    return min != null ? "must be at least " + min : "must be at most " + max;
  }
}
