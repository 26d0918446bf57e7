package dev.systemtables.notifications;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.List;
import java.util.concurrent.TimeUnit;

/** A test's own look into a Redis: reads counters and statistics, seeds keys. */
final class RedisProbe implements AutoCloseable {

  private final Vertx vertx = Vertx.vertx();
  private final Redis redis;

  RedisProbe(String url) {
    redis = Redis.createClient(vertx, new RedisOptions().setConnectionString(url).setMaxWaitingHandlers(100_000));
  }

  Response send(Request request) {
    return redis.send(request).timeout(10, TimeUnit.SECONDS).await();
  }

  List<Response> batch(List<Request> requests) {
    return redis.batch(requests).timeout(30, TimeUnit.SECONDS).await();
  }

  /** The stored unread count of a user, null when there is none. */
  Long counter(String userId) {
    Response r = send(Request.cmd(Command.HGET).arg(InboxCounters.key(userId)).arg("n"));
    return r == null ? null : r.toLong();
  }

  void dropCounter(String userId) {
    send(Request.cmd(Command.DEL).arg(InboxCounters.key(userId)));
  }

  /** Calls of one command since the last CONFIG RESETSTAT, from INFO commandstats. */
  long calls(String command) {
    String info = send(Request.cmd(Command.INFO).arg("commandstats")).toString();
    for (String line : info.split("\r?\n")) {
      if (line.startsWith("cmdstat_" + command + ":")) {
        return Long.parseLong(line.replaceAll("^[^:]+:calls=(\\d+),.*$", "$1"));
      }
    }
    return 0;
  }

  @Override
  public void close() {
    vertx.close().await();
  }
}
