package dev.systemtables.common;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fixed-window rate limits per caller. With Redis the window is shared by every node
 * ({@code INCR} + {@code EXPIRE} in one pipelined round); without Redis, or while it does not
 * answer, each node enforces the limit on its own, so a limit is never silently dropped.
 */
public final class RateLimiter {

  private static final Logger LOG = LoggerFactory.getLogger(RateLimiter.class);

  private final Redis redis;
  private final long timeoutMillis;
  private final Cache<String, AtomicLong> local = CacheBuilder.newBuilder()
      .expireAfterWrite(2, TimeUnit.HOURS).maximumSize(1_000_000).build();

  /** @param redis null to count on this node only */
  public RateLimiter(Redis redis, long timeoutMillis) {
    this.redis = redis;
    this.timeoutMillis = timeoutMillis;
  }

  /**
   * Counts one hit of {@code bucket} for {@code caller}; fails with {@code RATE_LIMITED}
   * (with the seconds until the window ends) once {@code limit} hits were counted in the window.
   */
  public Future<Void> hit(String bucket, String caller, int limit, Duration window) {
    long windowMs = window.toMillis();
    long now = System.currentTimeMillis();
    long windowStart = now - Math.floorMod(now, windowMs);
    long retryAfter = Math.max(1, (windowStart + windowMs - now + 999) / 1000);
    String key = "rl:" + bucket + ":" + windowStart + ":" + caller;
    Future<Long> count = redis == null ? Future.succeededFuture(localIncrement(key)) : redisIncrement(key, window)
        .recover(t -> {
          LOG.warn("rate limit window in Redis unavailable, counting on this node: {}", t.toString());
          return Future.succeededFuture(localIncrement(key));
        });
    return count.compose(c -> c > limit ? Future.failedFuture(ApiException.rateLimited(retryAfter)) : Future.succeededFuture());
  }

  private long localIncrement(String key) {
    try {
      return local.get(key, AtomicLong::new).incrementAndGet();
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e);
    }
  }

  private Future<Long> redisIncrement(String key, Duration window) {
    List<Request> batch = List.of(
        Request.cmd(Command.INCR).arg(key),
        Request.cmd(Command.EXPIRE).arg(key).arg(window.toSeconds() + 1).arg("NX"));
    return redis.batch(batch).timeout(timeoutMillis, TimeUnit.MILLISECONDS)
        .map(responses -> {
          Response first = responses.get(0);
          return first.toLong();
        });
  }
}
