package dev.systemtables.trpc;

import dev.systemtables.auth.Caller;
import dev.systemtables.http.Access;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One procedure of the router: its dotted path, whether it is a query or a mutation, who may call it, the
 * input fields it takes, and where its output holds timestamps.
 *
 * @param inputFields the top-level fields of its input object (to list invalid ones in {@code zodError}); null
 *                    when it takes no input, and then whatever is sent is ignored, as tRPC does
 * @param inputOptional whether no input at all ({@code undefined}) stands for an empty object
 * @param dates       paths of the output's timestamps, {@code *} standing for every element of an array
 *                    (e.g. {@code data.*.createdAt}): superjson marks them as {@code Date}
 */
record Procedure(String path, Kind kind, Access access, Set<String> inputFields, boolean inputOptional, Body body,
                 List<String> dates) {

  /** A query answers GET (POST too with method override); a mutation answers POST. */
  enum Kind {
    QUERY("query"), MUTATION("mutation");

    final String word;

    Kind(String word) {
      this.word = word;
    }
  }

  /** What the procedure does with an authorized caller and its input (an object when it takes one). */
  @FunctionalInterface
  interface Body {
    Future<JsonObject> call(Caller caller, JsonObject input);
  }

  Procedure {
    dates = List.copyOf(dates);
  }

  /** Runs it; a rule broken by the input, or anything thrown, becomes a failed future. */
  Future<JsonObject> run(Caller caller, Object input) {
    try {
      if (inputFields == null) return body.call(caller, null);
      return body.call(caller, inputOptional && input == Inputs.UNDEFINED ? new JsonObject() : Inputs.object(input));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /** The concrete superjson paths of the timestamps in an output of this procedure. */
  List<String> datePaths(JsonObject output) {
    List<String> out = new ArrayList<>();
    for (String pattern : dates) {
      collect(output, pattern.split("\\."), 0, "", out);
    }
    return out;
  }

  private static void collect(Object value, String[] pattern, int at, String path, List<String> out) {
    if (at == pattern.length) {
      if (value instanceof String) out.add(path);
      return;
    }
    String segment = pattern[at];
    if (value instanceof JsonObject o && o.containsKey(segment)) {
      collect(o.getValue(segment), pattern, at + 1, join(path, Transformer.escape(segment)), out);
    } else if (value instanceof JsonArray a && "*".equals(segment)) {
      for (int i = 0; i < a.size(); i++) collect(a.getValue(i), pattern, at + 1, join(path, String.valueOf(i)), out);
    }
  }

  private static String join(String path, String segment) {
    return path.isEmpty() ? segment : path + "." + segment;
  }
}
