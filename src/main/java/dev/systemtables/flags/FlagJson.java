package dev.systemtables.flags;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The JSON mapping of the flag records, and the bridge from Vert.x JSON to the plain Java the pure classes take. */
public final class FlagJson {

  private FlagJson() {
  }

  /**
   * A flag's API shape: {@code {"id", "name", "enabled", "description", "rolloutPercentage", "conditions",
   * "createdBy", "updatedBy", "createdAt", "updatedAt"}}, conditions exactly as written.
   */
  public static JsonObject toJson(Flag f) {
    return new JsonObject()
        .put("id", f.id())
        .put("name", f.name())
        .put("enabled", f.enabled())
        .put("description", f.description())
        .put("rolloutPercentage", f.rolloutPercentage())
        .put("conditions", f.conditions() == null ? null : json(f.conditions().asWritten()))
        .put("createdBy", f.createdBy())
        .put("updatedBy", f.updatedBy())
        .put("createdAt", f.createdAt() == null ? null : f.createdAt().toString())
        .put("updatedAt", f.updatedAt() == null ? null : f.updatedAt().toString());
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
