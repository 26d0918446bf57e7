package dev.systemtables.notifications;

import dev.systemtables.NodeContext;
import dev.systemtables.common.ServiceVerticle;
import dev.systemtables.push.Pushes;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;

/**
 * Owns {@code notifications}: the inbox, its counters and the pushes of its changes. One per node: it holds
 * what the node shares (the pool, the {@link InboxCounters} and their stale set), and serves
 * {@link NotificationService} with one consumer per event loop.
 */
public final class NotificationVerticle extends VerticleBase {

  private final NodeContext node;
  private Pool pool;
  private InboxCounters counters;

  public NotificationVerticle(NodeContext node) {
    this.node = node;
  }

  @Override
  public Future<?> start() {
    pool = node.database().pool(vertx, "notifications");
    NotificationStore store = new NotificationStore(pool);
    counters = new InboxCounters(vertx, node.redis(), node.config().redisCommandTimeoutMillis(), store);
    counters.start();
    JsonObject limits = node.config().section("rateLimits");
    NotificationService service = new NotificationServiceImpl(store, counters, node.rateLimiter(), new Pushes(vertx),
        new NotificationServiceImpl.Limits(limits.getInteger("notificationCreatesPerHour", 1000),
            limits.getInteger("markReadPerMinute", 100)),
        node.redisEnabled(), node.config().cachedInboxPages());
    return vertx.deployVerticle(() -> new ServiceVerticle<>(NotificationService.class, service),
        new DeploymentOptions().setInstances(node.eventLoops()));
  }

  @Override
  public Future<?> stop() {
    if (counters != null) counters.stop();
    return pool == null ? Future.succeededFuture() : pool.close();
  }

  /** Tests only: the node's counters, to force interleavings. */
  InboxCounters counters() {
    return counters;
  }
}
