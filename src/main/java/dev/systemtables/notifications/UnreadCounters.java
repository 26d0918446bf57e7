package dev.systemtables.notifications;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Unread counts: Redis counters in front of PostgreSQL, which stays the truth.
 *
 * <p>Each user has a hash {@code unread:<userId>} with two fields: {@code n}, the count, present only
 * once it was rebuilt from PostgreSQL, and {@code g}, a generation bumped by every change.
 * <ul>
 *   <li><b>Changes</b> (create +1, read -1, read-all -n, delete of an unread item -1) are applied after
 *   the PostgreSQL commit, by the caller that changed the rows, as deltas; a counter that is absent
 *   stays absent (a plain {@code INCRBY} would invent a count of 1 for a user with older unread
 *   items). All users of a broadcast are changed in one pipelined round.</li>
 *   <li><b>Reads</b> take {@code n}; on a miss they count in PostgreSQL (partial index on unread rows)
 *   and store the result only if {@code g} did not move meanwhile (compare-and-set in a script),
 *   so a change that lands between the count and the store can never be lost.</li>
 *   <li><b>Without Redis</b>, or when a call fails or times out, counts come from PostgreSQL. Users whose
 *   change could not be applied are remembered as stale; their counts come from PostgreSQL until
 *   Redis answers again and their counters are deleted (and so rebuilt on the next read).</li>
 * </ul>
 * Read-all applies {@code -n} (the rows it changed) rather than setting 0, so a notification created
 * concurrently with it is never dropped from the count.
 */
final class UnreadCounters {

  private static final Logger LOG = LoggerFactory.getLogger(UnreadCounters.class);

  static final String KEY_PREFIX = "unread:";
  /** Counters of users who stop coming back expire; a rebuild is one index probe. */
  static final long TTL_SECONDS = 7 * 24 * 3600;
  /** Keys per script call and per DEL, so no single command holds Redis for long. */
  static final int CHUNK = 1_000;
  /** Beyond this many remembered stale users, every counter is dropped when Redis returns. */
  static final int MAX_STALE_USERS = 100_000;
  static final long FLUSH_EVERY_MS = 1_000;

  // For each key: bump the generation; change the count only when it exists; a count that
  // would go negative is dropped instead (rebuilt on the next read). Returns the new counts,
  // false (nil) where there is none.
  private static final String APPLY = """
      local out = {}
      for i, key in ipairs(KEYS) do
        redis.call('HINCRBY', key, 'g', 1)
        local n = false
        if redis.call('HEXISTS', key, 'n') == 1 then
          n = redis.call('HINCRBY', key, 'n', ARGV[1])
          if n < 0 then
            redis.call('HDEL', key, 'n')
            n = false
          end
        end
        redis.call('EXPIRE', key, ARGV[2])
        out[i] = n
      end
      return out
      """;

  // Stores a rebuilt count only if no change happened since the generation was read.
  private static final String STORE_IF_UNCHANGED = """
      if (redis.call('HGET', KEYS[1], 'g') or '') == ARGV[1] then
        redis.call('HSET', KEYS[1], 'n', ARGV[2])
        redis.call('EXPIRE', KEYS[1], ARGV[3])
        return 1
      end
      return 0
      """;

  private final Vertx vertx;
  private final Redis redis;
  private final long timeoutMillis;
  private final NotificationStore store;
  private final Set<String> stale = ConcurrentHashMap.newKeySet();
  private volatile boolean allStale;
  private boolean flushing;
  private long timer = -1;

  /** @param redis null to count in PostgreSQL only */
  UnreadCounters(Vertx vertx, Redis redis, long timeoutMillis, NotificationStore store) {
    this.vertx = vertx;
    this.redis = redis;
    this.timeoutMillis = timeoutMillis;
    this.store = store;
  }

  void start() {
    if (redis != null) timer = vertx.setPeriodic(FLUSH_EVERY_MS, id -> flushStale());
  }

  void stop() {
    if (timer >= 0) vertx.cancelTimer(timer);
  }

  static String key(String userId) {
    return KEY_PREFIX + userId;
  }

  /** Whether this node distrusts the user's Redis counter. */
  boolean isStale(String userId) {
    return allStale || stale.contains(userId);
  }

  /** The user's unread count. */
  Future<Long> count(String userId) {
    if (redis == null || isStale(userId)) return store.unreadCount(userId);
    return redis.send(Request.cmd(Command.HMGET).arg(key(userId)).arg("n").arg("g"))
        .timeout(timeoutMillis, TimeUnit.MILLISECONDS)
        .transform(ar -> {
          if (ar.failed()) {
            LOG.warn("unread counter unavailable, counting in PostgreSQL: {}", ar.cause().toString());
            return store.unreadCount(userId);
          }
          Long n = longOf(ar.result().get(0));
          if (n != null) return Future.succeededFuture(n);
          String generation = stringOf(ar.result().get(1));
          return store.unreadCount(userId).compose(c -> storeIfUnchanged(userId, generation, c).map(c));
        });
  }

  private Future<Void> storeIfUnchanged(String userId, String generation, long count) {
    Request cas = Request.cmd(Command.EVAL).arg(STORE_IF_UNCHANGED).arg(1).arg(key(userId))
        .arg(generation == null ? "" : generation).arg(count).arg(TTL_SECONDS);
    return redis.send(cas).timeout(timeoutMillis, TimeUnit.MILLISECONDS)
        .<Void>mapEmpty()
        .recover(t -> Future.succeededFuture()); // the count is right either way; the next read retries
  }

  /**
   * Applies the same change to several users' counters (after their rows committed) and answers
   * every user's new count: from Redis where a counter exists and is trusted, else from PostgreSQL.
   */
  Future<Map<String, Long>> apply(Collection<String> userIds, long delta) {
    List<String> users = List.copyOf(userIds);
    if (users.isEmpty()) return Future.succeededFuture(Map.of());
    if (redis == null) return store.unreadCounts(users);
    List<Request> batch = new ArrayList<>();
    for (int from = 0; from < users.size(); from += CHUNK) {
      List<String> chunk = users.subList(from, Math.min(users.size(), from + CHUNK));
      Request eval = Request.cmd(Command.EVAL).arg(APPLY).arg(chunk.size());
      chunk.forEach(u -> eval.arg(key(u)));
      batch.add(eval.arg(delta).arg(TTL_SECONDS));
    }
    // One pipelined round for every recipient, whatever their number.
    return redis.batch(batch).timeout(timeoutMillis, TimeUnit.MILLISECONDS).transform(ar -> {
      Map<String, Long> counts = new HashMap<>(users.size() * 2);
      List<String> missing = new ArrayList<>();
      if (ar.failed()) {
        LOG.warn("could not update {} unread counter(s); they will be rebuilt when Redis answers: {}",
            users.size(), ar.cause().toString());
        markStale(users);
        missing.addAll(users);
      } else {
        int i = 0;
        for (Response chunk : ar.result()) {
          for (int j = 0; j < chunk.size(); j++, i++) {
            String user = users.get(i);
            Long n = longOf(chunk.get(j));
            if (n == null || isStale(user)) missing.add(user);
            else counts.put(user, n);
          }
        }
      }
      if (missing.isEmpty()) return Future.succeededFuture(counts);
      return store.unreadCounts(missing).map(fromDb -> {
        counts.putAll(fromDb);
        return counts;
      });
    });
  }

  /** Applies a change to one user's counter and answers the new count. */
  Future<Long> apply(String userId, long delta) {
    return apply(List.of(userId), delta).map(m -> m.get(userId));
  }

  private void markStale(List<String> users) {
    if (allStale) return;
    if (stale.size() + users.size() > MAX_STALE_USERS) {
      allStale = true;
      stale.clear();
    } else {
      stale.addAll(users);
    }
  }

  /** Once Redis answers again, drops the counters that may have missed changes. */
  Future<Void> flushStale() {
    if (flushing || (!allStale && stale.isEmpty())) return Future.succeededFuture();
    flushing = true;
    Future<Void> done = allStale ? dropAll() : dropSome();
    return done.onComplete(ar -> flushing = false)
        .onFailure(t -> LOG.debug("Redis still unavailable: {}", t.toString()))
        .recover(t -> Future.succeededFuture());
  }

  private Future<Void> dropSome() {
    List<String> users = new ArrayList<>(stale);
    List<Request> batch = new ArrayList<>();
    for (int from = 0; from < users.size(); from += CHUNK) {
      Request del = Request.cmd(Command.DEL);
      users.subList(from, Math.min(users.size(), from + CHUNK)).forEach(u -> del.arg(key(u)));
      batch.add(del);
    }
    return redis.batch(batch).timeout(timeoutMillis, TimeUnit.MILLISECONDS).map(x -> {
      users.forEach(stale::remove);
      LOG.info("Redis answers again: dropped {} unread counter(s) that may have missed changes", users.size());
      return null;
    });
  }

  private Future<Void> dropAll() {
    return scanAndDelete("0").map(x -> {
      allStale = false;
      stale.clear();
      LOG.info("Redis answers again: dropped every unread counter");
      return null;
    });
  }

  private Future<Void> scanAndDelete(String cursor) {
    Request scan = Request.cmd(Command.SCAN).arg(cursor).arg("MATCH").arg(KEY_PREFIX + "*").arg("COUNT").arg(CHUNK);
    return redis.send(scan).timeout(timeoutMillis, TimeUnit.MILLISECONDS).compose(r -> {
      String next = r.get(0).toString();
      Response keys = r.get(1);
      Future<?> deleted = Future.succeededFuture();
      if (keys.size() > 0) {
        Request del = Request.cmd(Command.DEL);
        keys.forEach(k -> del.arg(k.toString()));
        deleted = redis.send(del).timeout(timeoutMillis, TimeUnit.MILLISECONDS);
      }
      return deleted.compose(x -> "0".equals(next) ? Future.<Void>succeededFuture() : scanAndDelete(next));
    });
  }

  private static Long longOf(Response r) {
    return r == null ? null : r.toLong();
  }

  private static String stringOf(Response r) {
    return r == null ? null : r.toString();
  }
}
