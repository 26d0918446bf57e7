package dev.systemtables.flags;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.time.Instant;

import java.util.List;

/**
 * Flag administration, served by {@link FlagVerticle} on every event loop. Every write is one transaction
 * with its audit row and its {@code NOTIFY}; once it commits, this node's snapshot is reloaded before the
 * answer (a caller reads its own write) and every other node is told (see {@link FlagSnapshotVerticle}).
 * Evaluation does not go through here: it reads the node's in-memory {@link FlagSnapshots}.
 */
public interface FlagService {

  /** Every flag, by name. */
  Future<List<Flag>> list();

  /** Creates a flag; {@code FLAG_NAME_TAKEN} when the name exists. */
  Future<Flag> create(String actor, NewFlag flag);

  /** Changes the fields the patch names; {@code NOT_FOUND}, or {@code FLAG_NAME_TAKEN} on a rename to a taken name. */
  Future<Flag> update(String actor, String id, FlagPatch patch);

  /** Deletes a flag (its audit stays readable); {@code NOT_FOUND} for an unknown id. */
  Future<Void> delete(String actor, String id);

  /** The audit of a flag, newest first; {@code NOT_FOUND} when the id never existed. */
  Future<List<FlagAudit>> audit(String id);

  // ---- segments ----

  /** Every segment, by name. */
  Future<List<Segment>> segments();

  /** Creates a segment; {@code CONFLICT} when the name is taken. */
  Future<Segment> createSegment(String actor, SegmentJson.NewSegment segment);

  /**
   * Changes a segment, and with it every flag whose rules use it (every node reloads, as for a flag write);
   * {@code NOT_FOUND}, or {@code CONFLICT} for a taken name or the rename of a segment in use.
   */
  Future<Segment> updateSegment(String actor, String id, SegmentJson.SegmentPatch patch);

  /** Deletes a segment no rule uses; {@code NOT_FOUND}, or {@code CONFLICT} naming the flags using it. */
  Future<Void> deleteSegment(String actor, String id);

  /** The audit of a segment (JSON entries), newest first; {@code NOT_FOUND} when the id never existed. */
  Future<List<JsonObject>> segmentAudit(String id);

  // ---- Unleash import ----

  /**
   * Creates or updates, by name, the flags and segments of a mapped Unleash export, all or nothing; idempotent
   * (what already equals the import is not written, nor audited). {@code VALIDATION_FAILED} or
   * {@code UNPROCESSABLE} naming the flag when one cannot be stored.
   */
  Future<ImportReport> importUnleash(String actor, UnleashImport.Result mapped);

  // ---- scheduled changes ----

  /**
   * Schedules a flag PATCH body (already checked by {@link FlagPatch#fromJson}) for a time; {@code NOT_FOUND}
   * for an unknown flag. The scheduler applies it once across the cluster when it is due.
   */
  Future<ScheduledChange> schedule(String actor, String flagId, Instant at, JsonObject patch);

  /** Scheduled changes in time order: of one flag ({@code NOT_FOUND} when unknown) or all (null), of one status or any (null). */
  Future<List<ScheduledChange>> scheduledChanges(String flagId, String status);

  /** Cancels a pending change; {@code NOT_FOUND} when unknown, {@code CONFLICT} when no longer pending. */
  Future<ScheduledChange> cancelScheduled(String actor, String changeId);
}
