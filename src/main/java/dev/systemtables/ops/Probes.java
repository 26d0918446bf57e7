package dev.systemtables.ops;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Pool;

import java.util.concurrent.TimeUnit;

/**
 * Readiness: PostgreSQL must answer; Redis is reported {@code UP}, {@code DOWN} or
 * {@code DISABLED} but never makes the node unready, because the service works without it.
 * A node that is draining before a stop ({@link Drain}) is unready whatever the checks say.
 */
public final class Probes {

  private static final long TIMEOUT_MS = 1_500;

  private final Pool pool;
  private final Redis redis;
  private final Drain drain;

  /** @param redis null when the node runs without Redis */
  public Probes(Pool pool, Redis redis, Drain drain) {
    this.pool = pool;
    this.redis = redis;
    this.drain = drain;
  }

  /** {@code {"status": "UP"|"DOWN", "checks": {"database": ..., "redis": ...}}}, plus {@code "draining": true} while draining. */
  public Future<JsonObject> readiness() {
    if (drain.draining()) {
      return Future.succeededFuture(new JsonObject().put("status", "DOWN").put("draining", true));
    }
    Future<String> db = pool.query("SELECT 1").execute()
        .timeout(TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .map("UP").otherwise("DOWN");
    Future<String> cache = redis == null ? Future.succeededFuture("DISABLED")
        : redis.send(Request.cmd(Command.PING)).timeout(TIMEOUT_MS, TimeUnit.MILLISECONDS)
            .map("UP").otherwise("DOWN");
    return Future.join(db, cache).transform(x -> Future.succeededFuture(new JsonObject()
        .put("status", "UP".equals(db.result()) ? "UP" : "DOWN")
        .put("checks", new JsonObject().put("database", db.result()).put("redis", cache.result()))));
  }

  public Future<Void> close() {
    return pool.close();
  }
}
