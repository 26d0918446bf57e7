package dev.systemtables.flags;

import dev.systemtables.NodeContext;
import dev.systemtables.common.ServiceBus;
import dev.systemtables.common.ServiceVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;

/**
 * Owns {@code feature_flags} and {@code feature_flag_audit} for administration: one per node, holding the
 * pool, serving {@link FlagService} with one consumer per event loop. Keeping the snapshot current is
 * {@link FlagSnapshotVerticle}'s job.
 */
public final class FlagVerticle extends VerticleBase {

  private final NodeContext node;
  private Pool pool;

  public FlagVerticle(NodeContext node) {
    this.node = node;
  }

  @Override
  public Future<?> start() {
    pool = node.database().pool(vertx, "flags");
    FlagService service = new FlagServiceImpl(vertx, new FlagStore(pool), ServiceBus.proxy(vertx, FlagReloads.class),
        node.nodeId());
    return vertx.deployVerticle(() -> new ServiceVerticle<>(FlagService.class, service),
        new DeploymentOptions().setInstances(node.eventLoops()));
  }

  @Override
  public Future<?> stop() {
    return pool == null ? Future.succeededFuture() : pool.close();
  }
}
