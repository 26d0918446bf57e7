package dev.systemtables.trpc;

import dev.systemtables.common.BadInput;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Reading procedure inputs off the wire: JSON text, JavaScript's {@code undefined}, and the object a procedure takes. */
final class Inputs {

  /** JavaScript's {@code undefined}: no input at all (no {@code input=}, an empty body, a batch index left out). */
  static final Object UNDEFINED = new Object() {
    @Override
    public String toString() {
      return "undefined";
    }
  };

  private Inputs() {
  }

  /** JSON text as a value; blank or null text is {@link #UNDEFINED}. Unreadable text is a whole-request 400. */
  static Object parse(String text) {
    if (text == null || text.isBlank()) return UNDEFINED;
    try {
      return Json.decodeValue(text);
    } catch (DecodeException e) {
      throw new TrpcException(TrpcCode.BAD_REQUEST, "input is not valid JSON");
    }
  }

  /**
   * The input of a procedure that takes an object, checked as the REST layer checks a body: an object, and
   * no U+0000 anywhere (PostgreSQL text cannot hold it, so it is refused here, naming where it is, rather
   * than failing in the database). Throws {@link BadInput}.
   */
  static JsonObject object(Object input) {
    if (!(input instanceof JsonObject o)) {
      throw new BadInput("input must be an object, got " + (input == UNDEFINED ? "undefined" : kind(input)));
    }
    String nul = nulPath(o, "");
    if (nul != null) throw new BadInput(nul + " must not contain the NUL character (\\u0000)");
    return o;
  }

  private static String kind(Object value) {
    if (value == null) return "null";
    if (value instanceof JsonArray) return "an array";
    if (value instanceof String) return "a string";
    if (value instanceof Number) return "a number";
    if (value instanceof Boolean) return "a boolean";
    return "a value";
  }

  /** The path of the first member name or string holding U+0000, or null. */
  private static String nulPath(Object value, String path) {
    if (value instanceof String s) return s.indexOf('\0') >= 0 ? path : null;
    if (value instanceof JsonObject o) {
      for (var e : o) {
        String child = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
        if (e.getKey().indexOf('\0') >= 0) return child;
        String found = nulPath(e.getValue(), child);
        if (found != null) return found;
      }
    } else if (value instanceof JsonArray a) {
      for (int i = 0; i < a.size(); i++) {
        String found = nulPath(a.getValue(i), path + "[" + i + "]");
        if (found != null) return found;
      }
    }
    return null;
  }
}
