package dev.systemtables;

import dev.systemtables.auth.TokenVerifier;
import dev.systemtables.common.RateLimiter;
import dev.systemtables.config.AppConfig;
import dev.systemtables.db.Database;
import dev.systemtables.flags.FlagSnapshots;
import dev.systemtables.users.CallerRecorder;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.redis.client.Redis;

import java.time.Clock;

/**
 * What one node shares between its verticles, built once by {@link Application} and passed in.
 *
 * @param redis      null when the node runs without Redis
 * @param nodeId     a unique name of this process, recorded with job runs
 * @param flags      the node's in-memory flag snapshot and the answers of GET /flags/enabled stored under it:
 *                   written by the flag snapshot verticle alone, read by the evaluation endpoints
 * @param domains    the domains' service interfaces, for every caller
 * @param eventLoops how many event loops the node runs: every domain serves from each of them
 * @param clock      what the scheduler reads the time from (tests move it); data timestamps are PostgreSQL's
 */
public record NodeContext(
    AppConfig config,
    Database database,
    Redis redis,
    TokenVerifier tokens,
    CallerRecorder callers,
    RateLimiter rateLimiter,
    PrometheusMeterRegistry metrics,
    String nodeId,
    FlagSnapshots flags,
    Domains domains,
    int eventLoops,
    Clock clock) {

  public boolean redisEnabled() {
    return redis != null;
  }
}
