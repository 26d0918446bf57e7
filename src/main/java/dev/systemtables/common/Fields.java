package dev.systemtables.common;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * Typed reads of JSON request fields. Every failure is a {@link BadInput} (a 400) naming the field,
 * so a wrong type never surfaces as a {@link ClassCastException} and a 500.
 */
public final class Fields {

  private Fields() {
  }

  public static String requiredString(JsonObject o, String field) {
    String v = optionalString(o, field);
    if (v == null) throw new BadInput(field + " is required");
    return v;
  }

  public static String optionalString(JsonObject o, String field) {
    return optionalString(o, "", field);
  }

  /** The string member {@code key}; a wrong type is reported as {@code prefix + key} (e.g. {@code users[3].role}). */
  public static String optionalString(JsonObject o, String prefix, String key) {
    Object v = o.getValue(key);
    if (v == null) return null;
    if (!(v instanceof String s)) throw new BadInput(prefix + key + " must be a string");
    return s;
  }

  public static Integer optionalInt(JsonObject o, String field) {
    Object v = o.getValue(field);
    if (v == null) return null;
    if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
        && n.doubleValue() >= Integer.MIN_VALUE && n.doubleValue() <= Integer.MAX_VALUE) {
      return n.intValue();
    }
    throw new BadInput(field + " must be an integer");
  }

  public static Boolean optionalBoolean(JsonObject o, String field) {
    Object v = o.getValue(field);
    if (v == null) return null;
    if (!(v instanceof Boolean b)) throw new BadInput(field + " must be a boolean");
    return b;
  }

  public static JsonObject optionalObject(JsonObject o, String field) {
    Object v = o.getValue(field);
    if (v == null) return null;
    if (!(v instanceof JsonObject j)) throw new BadInput(field + " must be an object");
    return j;
  }

  public static JsonArray optionalArray(JsonObject o, String field) {
    Object v = o.getValue(field);
    if (v == null) return null;
    if (!(v instanceof JsonArray a)) throw new BadInput(field + " must be an array");
    return a;
  }

  /** A list of strings; each element must be a string. */
  public static List<String> optionalStringList(JsonObject o, String field) {
    JsonArray a = optionalArray(o, field);
    if (a == null) return null;
    List<String> out = new ArrayList<>(a.size());
    for (int i = 0; i < a.size(); i++) {
      if (!(a.getValue(i) instanceof String s)) {
        throw new BadInput(field + "[" + i + "] must be a string");
      }
      out.add(s);
    }
    return out;
  }
}
