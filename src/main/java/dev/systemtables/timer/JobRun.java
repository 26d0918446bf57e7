package dev.systemtables.timer;

import io.vertx.core.json.JsonObject;

import java.time.Instant;

/**
 * One run of a job for one slot, as {@code job_runs} records it.
 *
 * @param status {@code RUNNING}, {@code SUCCEEDED} or {@code FAILED}
 * @param error  why a run failed, else null
 */
public record JobRun(String id, Instant scheduledFor, String nodeId, String status, Instant startedAt,
                     Instant finishedAt, long deleted, String error) {

  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id)
        .put("scheduledFor", scheduledFor.toString())
        .put("nodeId", nodeId)
        .put("status", status)
        .put("startedAt", startedAt.toString())
        .put("finishedAt", finishedAt == null ? null : finishedAt.toString())
        .put("deleted", deleted)
        .put("error", error);
  }
}
