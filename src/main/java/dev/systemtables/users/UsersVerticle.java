package dev.systemtables.users;

import dev.systemtables.NodeContext;
import dev.systemtables.common.ServiceVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;

/** Owns the {@code users} table: one per node, serving {@link UserService} with one consumer per event loop. */
public final class UsersVerticle extends VerticleBase {

  private final NodeContext node;
  private Pool pool;

  public UsersVerticle(NodeContext node) {
    this.node = node;
  }

  @Override
  public Future<?> start() {
    pool = node.database().pool(vertx, "users");
    UserService service = new UserServiceImpl(new UserStore(pool));
    return vertx.deployVerticle(() -> new ServiceVerticle<>(UserService.class, service),
        new DeploymentOptions().setInstances(node.eventLoops()));
  }

  @Override
  public Future<?> stop() {
    return pool == null ? Future.succeededFuture() : pool.close();
  }
}
