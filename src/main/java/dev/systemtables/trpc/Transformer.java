package dev.systemtables.trpc;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How values travel between this endpoint and a tRPC client: as plain JSON, or in
 * <a href="https://github.com/flightcontrolhq/superjson">superjson</a>'s {@code {"json", "meta"}} form, whichever the
 * clients' links were set up with ({@code trpc.transformer} in {@code conf/config.yaml}). With superjson, inputs
 * arrive wrapped and are unwrapped here; outputs and errors leave wrapped, and timestamps are marked
 * {@code "Date"} in {@code meta.values} so that the client hands {@code Date} objects to its caller.
 */
public enum Transformer {

  /** Plain JSON (tRPC's default): values as they are; timestamps stay ISO-8601 strings. */
  JSON {
    @Override
    Object input(Object wire) {
      return wire;
    }

    @Override
    Object output(Object value, List<String> datePaths) {
      return value;
    }
  },

  /** superjson 2.x: {@code {"json": value, "meta": {"values": {"a.0.b": ["Date"]}, "v": 1}}}. */
  SUPERJSON {
    @Override
    Object input(Object wire) {
      // A superjson server reads a value without "json" (e.g. a plain-JSON client's input) as undefined.
      if (!(wire instanceof JsonObject o) || !o.containsKey("json")) return Inputs.UNDEFINED;
      Object json = o.getValue("json");
      Object meta = o.getValue("meta");
      if (!(meta instanceof JsonObject m)) return json;
      Object values = m.getValue("values");
      // Only "undefined" changes what a procedure sees: it is an absent member (or no input at all).
      // Other annotations (Date, bigint, ...) keep their JSON form, which the field's rule then judges.
      if (values instanceof JsonArray root) {
        return "undefined".equals(root.getValue(0)) ? Inputs.UNDEFINED : json;
      }
      if (values instanceof JsonObject annotated) {
        for (String path : annotated.fieldNames()) {
          if (annotated.getValue(path) instanceof JsonArray a && "undefined".equals(a.getValue(0))) {
            json = remove(json, split(path));
          }
        }
      }
      return json;
    }

    @Override
    Object output(Object value, List<String> datePaths) {
      JsonObject wrapped = new JsonObject().put("json", value);
      if (!datePaths.isEmpty()) {
        JsonObject values = new JsonObject();
        datePaths.forEach(p -> values.put(p, new JsonArray().add("Date")));
        wrapped.put("meta", new JsonObject().put("values", values).put("v", 1));
      }
      return wrapped;
    }
  };

  /** A wire value (an input, or a batch's input at one index) as the procedure sees it; may be {@link Inputs#UNDEFINED}. */
  abstract Object input(Object wire);

  /**
   * A value as it goes out. {@code datePaths} are the superjson paths (members and array indexes joined with
   * {@code .}) of the ISO-8601 strings in {@code value} that stand for timestamps.
   */
  abstract Object output(Object value, List<String> datePaths);

  /** {@code json} or {@code superjson} (any case). */
  public static Transformer named(String name) {
    String n = name == null ? "json" : name.trim().toLowerCase(Locale.ROOT);
    return switch (n) {
      case "json", "" -> JSON;
      case "superjson" -> SUPERJSON;
      default -> throw new IllegalArgumentException("trpc.transformer must be json or superjson, got '" + name + "'");
    };
  }

  /** superjson's path syntax: segments joined by {@code .}, a literal dot escaped as {@code \.}. */
  static List<String> split(String path) {
    List<String> out = new ArrayList<>();
    StringBuilder segment = new StringBuilder();
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == '\\' && i + 1 < path.length() && path.charAt(i + 1) == '.') {
        segment.append('.');
        i++;
      } else if (c == '.') {
        out.add(segment.toString());
        segment.setLength(0);
      } else {
        segment.append(c);
      }
    }
    out.add(segment.toString());
    return out;
  }

  /** The superjson spelling of a path segment. */
  static String escape(String segment) {
    return segment.replace(".", "\\.");
  }

  /** {@code root} without the member at {@code path} (an array element becomes null, as JSON keeps its place). */
  private static Object remove(Object root, List<String> path) {
    if (path.isEmpty() || (path.size() == 1 && path.get(0).isEmpty())) return Inputs.UNDEFINED;
    Object parent = root;
    for (int i = 0; i < path.size() - 1 && parent != null; i++) {
      parent = child(parent, path.get(i));
    }
    String last = path.get(path.size() - 1);
    if (parent instanceof JsonObject o) {
      o.remove(last);
    } else if (parent instanceof JsonArray a) {
      int index = index(last);
      if (index >= 0 && index < a.size()) a.set(index, null);
    }
    return root;
  }

  private static Object child(Object parent, String segment) {
    if (parent instanceof JsonObject o) return o.getValue(segment);
    if (parent instanceof JsonArray a) {
      int index = index(segment);
      return index >= 0 && index < a.size() ? a.getValue(index) : null;
    }
    return null;
  }

  private static int index(String segment) {
    try {
      return Integer.parseInt(segment);
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
