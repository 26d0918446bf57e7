package dev.systemtables.flags;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/** Flag administration: each write is one {@link FlagStore} transaction, then the snapshots are told. */
final class FlagServiceImpl implements FlagService {

  private final Vertx vertx;
  private final FlagStore store;
  private final FlagReloads reloads;
  private final String nodeId;

  FlagServiceImpl(Vertx vertx, FlagStore store, FlagReloads reloads, String nodeId) {
    this.vertx = vertx;
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

  /** After a committed write: tell the cluster, then reload here so this node reads its own write. */
  private Future<Flag> written(Future<FlagStore.Change> write) {
    return write.compose(change -> {
      vertx.eventBus().publish(FlagSnapshotVerticle.RELOAD_SIGNAL,
          new JsonObject().put("origin", nodeId).put("names", new JsonArray(change.names())));
      return reloads.reload().otherwise(t -> null).map(change.flag());
    });
  }
}
