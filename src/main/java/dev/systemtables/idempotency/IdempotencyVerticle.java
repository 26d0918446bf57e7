package dev.systemtables.idempotency;

import dev.systemtables.NodeContext;
import dev.systemtables.common.ServiceVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;

/**
 * Owns {@code idempotency_keys}: one per node, holding the pool, serving {@link IdempotencyService} with one
 * consumer per event loop.
 */
public final class IdempotencyVerticle extends VerticleBase {

  private final NodeContext node;
  private Pool pool;

  public IdempotencyVerticle(NodeContext node) {
    this.node = node;
  }

  @Override
  public Future<?> start() {
    JsonObject conf = node.config().section("idempotency");
    IdempotencyServiceImpl.Settings settings;
    try {
      settings = new IdempotencyServiceImpl.Settings(conf.getInteger("ttlHours", 24),
          conf.getLong("staleAfterSeconds", 300L),
          node.config().section("rateLimits").getInteger("idempotencyClaimsPerHour", 100));
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    pool = node.database().pool(vertx, "idempotency");
    IdempotencyService service = new IdempotencyServiceImpl(new IdempotencyStore(pool), node.rateLimiter(),
        settings, node.metrics());
    return vertx.deployVerticle(() -> new ServiceVerticle<>(IdempotencyService.class, service),
        new DeploymentOptions().setInstances(node.eventLoops()));
  }

  @Override
  public Future<?> stop() {
    return pool == null ? Future.succeededFuture() : pool.close();
  }
}
