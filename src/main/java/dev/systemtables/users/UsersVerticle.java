package dev.systemtables.users;

import dev.systemtables.NodeContext;
import dev.systemtables.common.Bus;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;

/** Owns the {@code users} table: the directory that role broadcasts read. */
public final class UsersVerticle extends VerticleBase {

  private final NodeContext node;
  private Pool pool;

  public UsersVerticle(NodeContext node) {
    this.node = node;
  }

  @Override
  public Future<?> start() {
    pool = node.database().pool(vertx, "users", 4);
    UserStore store = new UserStore(pool);
    Bus.serve(vertx, UsersContract.UPSERT, store::upsert);
    Bus.serve(vertx, UsersContract.UPSERT_MANY, body -> store.upsertMany(body.getJsonArray("users"))
        .map(n -> new io.vertx.core.json.JsonObject().put("upserted", n)));
    Bus.serve(vertx, UsersContract.RECORD_CALLER, store::recordCaller);
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    return pool == null ? Future.succeededFuture() : pool.close();
  }
}
