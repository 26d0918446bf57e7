package dev.systemtables.flags;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Bridges Vert.x JSON and the plain Java the pure flag classes take. */
final class FlagJson {

  private FlagJson() {
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

  @SuppressWarnings("unchecked")
  private static Map<String, Object> castMap(Map<?, ?> m) {
    return (Map<String, Object>) m;
  }
}
