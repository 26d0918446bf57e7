package dev.systemtables.flags;

import dev.systemtables.NodeContext;
import dev.systemtables.common.ServiceBus;
import dev.systemtables.common.ServiceVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;

/**
 * Owns {@code feature_flags} and {@code feature_flag_audit} for administration: one per node, holding the
 * pool, serving {@link FlagService} with one consumer per event loop. Keeping the snapshot current is
 * {@link FlagSnapshotVerticle}'s job. It also runs the node's {@link FlagScheduler}, which applies due
 * scheduled changes ({@code flags.scheduledChanges} in conf/config.yaml).
 */
public final class FlagVerticle extends VerticleBase {

  private final NodeContext node;
  private Pool pool;
  private FlagScheduler scheduler;

  public FlagVerticle(NodeContext node) {
    this.node = node;
  }

  @Override
  public Future<?> start() {
    pool = node.database().pool(vertx, "flags");
    FlagStore store = new FlagStore(pool);
    JsonObject settings = node.config().section("flags").getJsonObject("scheduledChanges", new JsonObject());
    boolean schedulerOn = settings.getBoolean("enabled", true);
    long checkMs = Math.max(1, settings.getInteger("checkSeconds", 5)) * 1000L;
    FlagServiceImpl service = new FlagServiceImpl(vertx, store, ServiceBus.proxy(vertx, FlagReloads.class),
        node.nodeId(), () -> {
          if (scheduler != null) scheduler.poke();
        });
    if (schedulerOn) scheduler = new FlagScheduler(vertx, context, store, service, checkMs);
    return vertx.deployVerticle(() -> new ServiceVerticle<>(FlagService.class, service),
            new DeploymentOptions().setInstances(node.eventLoops()))
        .onSuccess(x -> {
          if (scheduler != null) scheduler.start();
        });
  }

  @Override
  public Future<?> stop() {
    if (scheduler != null) scheduler.stop();
    return pool == null ? Future.succeededFuture() : pool.close();
  }
}
