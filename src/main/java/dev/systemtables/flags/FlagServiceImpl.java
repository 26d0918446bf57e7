package dev.systemtables.flags;

import dev.systemtables.common.ApiException;
import dev.systemtables.common.ErrorCode;
import dev.systemtables.common.Failures;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.List;

/** Flag administration: each write is one {@link FlagStore} transaction, then the snapshots are told. */
final class FlagServiceImpl implements FlagService {

  private final Vertx vertx;
  private final FlagStore store;
  private final FlagReloads reloads;
  private final String nodeId;

  /** Told when a change was scheduled, so this node's scheduler can look at its timer. */
  private final Runnable scheduled;

  FlagServiceImpl(Vertx vertx, FlagStore store, FlagReloads reloads, String nodeId, Runnable scheduled) {
    this.vertx = vertx;
    this.scheduled = scheduled;
    this.store = store;
    this.reloads = reloads;
    this.nodeId = nodeId;
  }

  @Override
  public Future<List<Flag>> list() {
    return store.loadAll();
  }

  @Override
  public Future<Flag> create(String actor, NewFlag flag) {
    return written(store.create(flag, actor));
  }

  @Override
  public Future<Flag> update(String actor, String id, FlagPatch patch) {
    return written(store.update(id, patch, actor));
  }

  @Override
  public Future<Void> delete(String actor, String id) {
    return written(store.delete(id, actor)).mapEmpty();
  }

  @Override
  public Future<List<FlagAudit>> audit(String id) {
    return store.audit(id);
  }

  @Override
  public Future<List<Segment>> segments() {
    return store.segments();
  }

  @Override
  public Future<Segment> createSegment(String actor, SegmentJson.NewSegment segment) {
    return segmentWritten(store.createSegment(segment, actor));
  }

  @Override
  public Future<Segment> updateSegment(String actor, String id, SegmentJson.SegmentPatch patch) {
    return segmentWritten(store.updateSegment(id, patch, actor));
  }

  @Override
  public Future<Void> deleteSegment(String actor, String id) {
    return segmentWritten(store.deleteSegment(id, actor)).mapEmpty();
  }

  @Override
  public Future<List<JsonObject>> segmentAudit(String id) {
    return store.segmentAudit(id);
  }

  /** A segment write propagates exactly like a flag write: the cluster signal, then this node's reload. */
  private Future<Segment> segmentWritten(Future<FlagStore.SegmentChange> write) {
    return write.compose(change -> {
      signal(change.flags());
      return reloads.reload().otherwise(t -> null).map(change.segment());
    });
  }

  @Override
  public Future<ImportReport> importUnleash(String actor, UnleashImport.Result mapped) {
    return store.importAll(mapped.importable(), mapped.segments(), mapped.notRepresentable(), actor)
        .compose(report -> {
          boolean changed = !report.flagsCreated().isEmpty() || !report.flagsUpdated().isEmpty()
              || !report.segmentsCreated().isEmpty() || !report.segmentsUpdated().isEmpty();
          if (!changed) return Future.succeededFuture(report);
          List<String> names = new java.util.ArrayList<>(report.flagsCreated());
          names.addAll(report.flagsUpdated());
          signal(names);
          return reloads.reload().otherwise(t -> null).map(report);
        });
  }

  @Override
  public Future<ScheduledChange> schedule(String actor, String flagId, Instant at, JsonObject patch) {
    return store.schedule(flagId, patch, at, actor).onSuccess(c -> scheduled.run());
  }

  @Override
  public Future<List<ScheduledChange>> scheduledChanges(String flagId, String status) {
    if (flagId == null) return store.scheduledChanges(null, status);
    return store.flagExists(flagId).compose(exists -> exists
        ? store.scheduledChanges(flagId, status)
        : Future.failedFuture(ApiException.notFound("no flag with id " + flagId)));
  }

  @Override
  public Future<ScheduledChange> cancelScheduled(String actor, String changeId) {
    return store.cancel(changeId, actor);
  }

  /**
   * Applies one due change if it is still pending (the scheduler's call). A patch that cannot be applied
   * marks the change failed with the reason; a database that cannot be reached leaves it pending for the
   * next check. The change as it ended, or null when another node (or a cancel) got there first.
   */
  Future<String> applyScheduled(String changeId) {
    return written(store.applyScheduled(changeId, nodeId))
        .map(flag -> flag == null ? null : ScheduledChange.APPLIED)
        .recover(t -> {
          ApiException e = Failures.toApi(t);
          if (e.code() == ErrorCode.UNAVAILABLE) return Future.failedFuture(e);
          return store.failScheduled(changeId, nodeId, e.code().name() + ": " + e.detail())
              .map(c -> c == null ? null : ScheduledChange.FAILED);
        });
  }

  /** After a committed write: tell the cluster, then reload here so this node reads its own write. */
  private Future<Flag> written(Future<FlagStore.Change> write) {
    return write.compose(change -> {
      if (change == null) return Future.succeededFuture(null);
      signal(change.names());
      return reloads.reload().otherwise(t -> null).map(change.flag());
    });
  }

  private void signal(List<String> names) {
    vertx.eventBus().publish(FlagSnapshotVerticle.RELOAD_SIGNAL,
        new JsonObject().put("origin", nodeId).put("names", new JsonArray(names)));
  }
}
