package dev.systemtables.timer;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.List;

/**
 * A job as an operator sees it: its schedule, its next slot (null when it never fires again) and its newest
 * runs, newest first.
 */
public record JobStatus(String name, String schedule, Instant nextRunAt, List<JobRun> recentRuns) {

  public JobStatus {
    recentRuns = List.copyOf(recentRuns);
  }

  public JsonObject toJson() {
    JsonArray runs = new JsonArray();
    recentRuns.forEach(r -> runs.add(r.toJson()));
    return new JsonObject().put("name", name).put("schedule", schedule)
        .put("nextRunAt", nextRunAt == null ? null : nextRunAt.toString()).put("recentRuns", runs);
  }
}
