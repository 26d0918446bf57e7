package dev.systemtables.flags;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * What an Unleash import did: the flags and segments (by name) it created, updated and left as they were, and
 * every part of the export this service could not represent as it is.
 */
public record ImportReport(List<String> flagsCreated, List<String> flagsUpdated, List<String> flagsUnchanged,
                           List<String> segmentsCreated, List<String> segmentsUpdated, List<String> segmentsUnchanged,
                           List<String> notRepresentable) {

  /** Its API shape. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("flags", group(flagsCreated, flagsUpdated, flagsUnchanged))
        .put("segments", group(segmentsCreated, segmentsUpdated, segmentsUnchanged))
        .put("notRepresentable", new JsonArray(new ArrayList<>(notRepresentable)));
  }

  private static JsonObject group(List<String> created, List<String> updated, List<String> unchanged) {
    return new JsonObject()
        .put("created", new JsonArray(new ArrayList<>(created)))
        .put("updated", new JsonArray(new ArrayList<>(updated)))
        .put("unchanged", new JsonArray(new ArrayList<>(unchanged)));
  }
}
