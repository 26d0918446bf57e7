package dev.systemtables.ops;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Pool;

import java.util.concurrent.TimeUnit;

/**
 * Liveness and readiness, as vertx-health-check handlers. Readiness needs PostgreSQL to answer; Redis is
 * reported ({@code data.state} {@code UP}, {@code DOWN} or {@code DISABLED}) but never makes the node
 * unready, because the service works without it — so its check itself is always {@code UP}. A node that
 * is draining before a stop ({@link Drain}) is unready whatever the other checks say (check {@code shutdown}).
 */
public final class Probes {

  private static final long TIMEOUT_MS = 1_500;

  private final Pool pool;
  private final Redis redis;
  private final Drain drain;

  /** Probes of a node that is never drained (tests that build a router of their own). */
  public Probes(Pool pool, Redis redis) {
    this(pool, redis, new Drain(java.time.Duration.ZERO));
  }

  /** @param redis null when the node runs without Redis */
  public Probes(Pool pool, Redis redis, Drain drain) {
    this.pool = pool;
    this.redis = redis;
    this.drain = drain;
  }

  /** 200 while the process runs: {@code {"status": "UP", "checks": [{"id": "process", "status": "UP"}], ...}}. */
  public HealthCheckHandler liveness(Vertx vertx) {
    return HealthCheckHandler.create(vertx).register("process", promise -> promise.complete(Status.OK()));
  }

  /** 200 when PostgreSQL answers within 1.5 s and the node is not draining, else 503; checks {@code database}, {@code redis}, {@code shutdown}. */
  public HealthCheckHandler readiness(Vertx vertx) {
    return HealthCheckHandler.create(vertx)
        .register("database", TIMEOUT_MS, this::database)
        .register("redis", TIMEOUT_MS, this::redis)
        // DOWN from SIGTERM on, for shutdown.drainSeconds, so a load balancer takes the node out of rotation
        // while it still serves.
        .register("shutdown", promise -> promise.complete(drain.draining()
            ? Status.KO(new JsonObject().put("draining", true)) : Status.OK(new JsonObject().put("draining", false))));
  }

  private void database(Promise<Status> promise) {
    pool.query("SELECT 1").execute()
        .timeout(TIMEOUT_MS, TimeUnit.MILLISECONDS)
        // tryComplete: the handler's own timeout (the same 1.5 s) may have completed the check first; a plain
        // complete then throws, logged as an unhandled ERROR on a slow start (seen in RollingRestartIT).
        .onComplete(ar -> promise.tryComplete(ar.succeeded() ? Status.OK() : Status.KO()));
  }

  private void redis(Promise<Status> promise) {
    Future<String> state = redis == null ? Future.succeededFuture("DISABLED")
        : redis.send(Request.cmd(Command.PING)).timeout(TIMEOUT_MS, TimeUnit.MILLISECONDS).map("UP").otherwise("DOWN");
    state.onComplete(ar -> promise.tryComplete(Status.OK(new JsonObject().put("state", ar.result()))));
  }

  public Future<Void> close() {
    return pool.close();
  }
}
