package dev.systemtables.testing;

import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;

/** An HTTP response as the tests see it. */
public record Resp(int status, String body, Map<String, List<String>> headers) {

  public JsonObject json() {
    return new JsonObject(body);
  }

  /** The {@code data} member of a success envelope. */
  public JsonObject data() {
    return json().getJsonObject("data");
  }

  public String header(String name) {
    return headers.entrySet().stream()
        .filter(e -> e.getKey().equalsIgnoreCase(name))
        .map(e -> e.getValue().get(0)).findFirst().orElse(null);
  }

  @Override
  public String toString() {
    return status + " " + body;
  }
}
