package dev.systemtables.notifications;

import dev.systemtables.common.Ids;
import dev.systemtables.common.RedisScript;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Each user's unread and total notification counts: Redis counters in front of PostgreSQL, which stays the
 * truth. One instance per node, shared by the domain's event loops.
 *
 * <p>A user's hash {@code inbox:<userId>} holds {@code n} (unread) and {@code t} (total), present only once
 * rebuilt from PostgreSQL; {@code g}, a generation bumped by every change; and one field {@code p:<ticket>}
 * per change in flight, valued with the time its lease ends.
 *
 * <p><b>Why no interleaving can count a change twice or lose it.</b> A change (create, mark, read-all,
 * delete) first announces itself ({@link #begin}: a ticket on each user's hash), then commits in
 * PostgreSQL, then applies its deltas ({@link #commit}), which take the ticket back and add the deltas
 * only if the ticket was still there; a change that finds its ticket gone drops the counts instead. A
 * rebuild (a read that finds no counts) reads {@code g}, counts in PostgreSQL, and stores the counts only
 * if {@code g} did not move and no ticket is present. Take a change C and a rebuild R:
 * <ul>
 *   <li><i>C committed before R counted</i> (R's count holds C). C's ticket was set before C committed.
 *   If C applied before R stored, applying moved {@code g}: either after R read it, so R's store is
 *   refused, or before, so R read a state C had already applied to and found no ticket. If C applies
 *   after R stored, then at R's store C's ticket was either there — R refused — or already gone, taken
 *   by an expiry; C then finds it gone and drops the counts rather than add to a count that holds it.</li>
 *   <li><i>C committed after R counted</i> (R's count lacks C). If C applied before R stored, it moved
 *   {@code g} after R read it (C's commit follows R's count, which follows R's read): R's store is
 *   refused. If C applies after R stored, its delta lands on R's count: added once (or, its ticket gone,
 *   the counts are dropped).</li>
 * </ul>
 * Deltas that would make a count negative, or unread exceed total, drop the counts.
 *
 * <p><b>Crashes and outages.</b> A node that dies between its commit and its apply leaves a ticket whose
 * lease ({@link #LEASE_MS}) runs out; the next read removes it and drops the counters, so the count is
 * rebuilt. Until then reads count in PostgreSQL. Without Redis, or when a call fails, counts come from
 * PostgreSQL; users whose change could not be applied are remembered as stale on this node and their
 * counters dropped once Redis answers again. Purges, which only delete read notifications, drop the
 * affected users' counters after their commit ({@link #invalidate}), which is always safe.
 */
final class InboxCounters {

  private static final Logger LOG = LoggerFactory.getLogger(InboxCounters.class);

  static final String KEY_PREFIX = "inbox:";
  /** Counters of users who stop coming back expire; a rebuild is two index-only counts. */
  static final long TTL_SECONDS = 7 * 24 * 3600;
  /** How long a change may take from announcing itself to applying its delta before it counts as crashed. */
  static final long LEASE_MS = 60_000;
  /** Keys per script call, so no single call holds Redis for long. */
  static final int CHUNK = 1_000;
  /** Beyond this many remembered stale users, every counter is dropped when Redis returns. */
  static final int MAX_STALE_USERS = 100_000;
  static final long FLUSH_EVERY_MS = 1_000;

  /**
   * Moves {@code g}. A hash without one (new, expired, flushed) starts it from Redis' clock in microseconds,
   * so a generation is never handed out twice across a key's lifetimes: a page cached under a generation
   * (see {@link InboxPages}) cannot be taken for a later state that happens to count the same.
   */
  private static final String MOVE = """
      local function move(key)
        if redis.call('HEXISTS', key, 'g') == 0 then
          local c = redis.call('TIME')
          redis.call('HSET', key, 'g', c[1] .. string.format('%06d', tonumber(c[2])))
        end
        return redis.call('HINCRBY', key, 'g', 1)
      end
      """;

  private static final RedisScript BEGIN = new RedisScript("""
      local t = redis.call('TIME')
      local deadline = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[2])
      for _, key in ipairs(KEYS) do
        redis.call('HSET', key, 'p:' .. ARGV[1], deadline)
        redis.call('EXPIRE', key, ARGV[3])
      end
      return 1
      """);

  // Answers {n, t, g, busy}. Expired tickets belong to changes that died: drop them and the counts.
  private static final RedisScript READ = new RedisScript(MOVE + """
      local h = redis.call('HGETALL', KEYS[1])
      if #h == 0 then return {false, false, false, 0} end
      local n, total, g, busy = false, false, false, 0
      local expired = {}
      local now = nil
      for i = 1, #h, 2 do
        local f = h[i]
        if f == 'n' then n = h[i + 1]
        elseif f == 't' then total = h[i + 1]
        elseif f == 'g' then g = h[i + 1]
        elseif string.sub(f, 1, 2) == 'p:' then
          if now == nil then
            local t = redis.call('TIME')
            now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
          end
          if tonumber(h[i + 1]) <= now then expired[#expired + 1] = f else busy = 1 end
        end
      end
      if #expired > 0 then
        redis.call('HDEL', KEYS[1], 'n', 't', unpack(expired))
        move(KEYS[1])
        -- read back as Redis keeps it: Lua's tostring would print a number this large as 1.7e+15
        g = redis.call('HGET', KEYS[1], 'g')
        n, total = false, false
      end
      return {n, total, g, busy}
      """);

  // Stores rebuilt counts only if nothing changed since g was read and no change is in flight.
  private static final RedisScript STORE = new RedisScript(MOVE + """
      local h = redis.call('HGETALL', KEYS[1])
      local g = ''
      for i = 1, #h, 2 do
        if h[i] == 'g' then g = h[i + 1]
        elseif string.sub(h[i], 1, 2) == 'p:' then return 0 end
      end
      if g ~= ARGV[1] then return 0 end
      redis.call('HSET', KEYS[1], 'n', ARGV[2], 't', ARGV[3])
      if g == '' then move(KEYS[1]) end
      redis.call('EXPIRE', KEYS[1], ARGV[4])
      return 1
      """);

  // Per key: take back our ticket, move g; add the deltas only if the ticket was ours to take back.
  private static final RedisScript APPLY = new RedisScript(MOVE + """
      local out = {}
      for i, key in ipairs(KEYS) do
        local mine = 0
        if ARGV[1] ~= '' then mine = redis.call('HDEL', key, 'p:' .. ARGV[1]) end
        move(key)
        local has = redis.call('HMGET', key, 'n', 't')
        local n = false
        if mine == 1 and has[1] and has[2] then
          n = redis.call('HINCRBY', key, 'n', ARGV[2])
          local t = redis.call('HINCRBY', key, 't', ARGV[3])
          if n < 0 or t < n then
            redis.call('HDEL', key, 'n', 't')
            n = false
          end
        elseif has[1] or has[2] then
          redis.call('HDEL', key, 'n', 't')
        end
        redis.call('EXPIRE', key, ARGV[4])
        out[i] = n
      end
      return out
      """);

  private static final RedisScript ABORT = new RedisScript("""
      for _, key in ipairs(KEYS) do redis.call('HDEL', key, 'p:' .. ARGV[1]) end
      return 1
      """);

  // Always moves g (creating the key if needed), so a rebuild that counted before the change cannot store.
  private static final RedisScript INVALIDATE = new RedisScript(MOVE + """
      for _, key in ipairs(KEYS) do
        redis.call('HDEL', key, 'n', 't')
        move(key)
        redis.call('EXPIRE', key, ARGV[1])
      end
      return 1
      """);

  private final Vertx vertx;
  private final Redis redis;
  private final long timeoutMillis;
  private final NotificationStore store;
  private final long leaseMs;
  private final Set<String> stale = ConcurrentHashMap.newKeySet();
  private volatile boolean allStale;
  private final AtomicBoolean flushing = new AtomicBoolean();
  private volatile Supplier<Future<Void>> afterRead = Future::succeededFuture;
  private volatile Supplier<Future<Void>> beforeStore = Future::succeededFuture;
  private long timer = -1;

  /** @param redis null to count in PostgreSQL only */
  InboxCounters(Vertx vertx, Redis redis, long timeoutMillis, NotificationStore store) {
    this(vertx, redis, timeoutMillis, store, LEASE_MS);
  }

  /** With another lease (tests let a "crashed" change's lease run out in milliseconds). */
  InboxCounters(Vertx vertx, Redis redis, long timeoutMillis, NotificationStore store, long leaseMs) {
    this.vertx = vertx;
    this.redis = redis;
    this.timeoutMillis = timeoutMillis;
    this.store = store;
    this.leaseMs = leaseMs;
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

  /** Whether this node distrusts the user's Redis counters. */
  boolean isStale(String userId) {
    return allStale || stale.contains(userId);
  }

  /**
   * Tests only: a rebuild waits for {@code afterRead} between reading the generation and counting in
   * PostgreSQL, and for {@code beforeStore} between the count and the store, so a test can force any
   * interleaving with a change.
   */
  void interleave(Supplier<Future<Void>> afterRead, Supplier<Future<Void>> beforeStore) {
    this.afterRead = afterRead;
    this.beforeStore = beforeStore;
  }

  /** A change announced to the counters of its users; {@code ticket} is null when it could not be announced. */
  record Change(String ticket, List<String> users) {
  }

  /** Announces a change before it is written; never fails (without Redis the change simply has no ticket). */
  Future<Change> begin(List<String> users) {
    if (redis == null || users.isEmpty()) return Future.succeededFuture(new Change(null, users));
    String ticket = Ids.next();
    List<RedisScript.Call> calls = chunks(users, List.of(ticket, leaseMs, TTL_SECONDS));
    return BEGIN.batch(redis, calls).timeout(timeout(calls), TimeUnit.MILLISECONDS).transform(ar -> {
      if (ar.succeeded()) return Future.succeededFuture(new Change(ticket, users));
      LOG.warn("could not announce a change to {} inbox counter(s); they will be rebuilt: {}", users.size(),
          ar.cause().toString());
      markStale(users);
      return Future.succeededFuture(new Change(null, users));
    });
  }

  /** The change did not happen (its transaction failed, or it changed nothing): withdraw its tickets. */
  Future<Void> abort(Change change) {
    if (redis == null || change.ticket() == null || change.users().isEmpty()) return Future.succeededFuture();
    List<RedisScript.Call> calls = chunks(change.users(), List.of(change.ticket()));
    return ABORT.batch(redis, calls)
        .timeout(timeout(calls), TimeUnit.MILLISECONDS)
        .<Void>mapEmpty()
        // A ticket left behind only delays rebuilds until its lease ends.
        .recover(t -> Future.succeededFuture());
  }

  /**
   * Applies a committed change to the users' counters and answers each user's unread count: from Redis
   * where a counter exists and is trusted, else from PostgreSQL.
   */
  Future<Map<String, Long>> commit(Change change, long unreadDelta, long totalDelta) {
    List<String> users = change.users();
    if (users.isEmpty()) return Future.succeededFuture(Map.of());
    if (redis == null) return store.unreadCounts(users);
    String ticket = change.ticket() == null ? "" : change.ticket();
    List<RedisScript.Call> calls = chunks(users, List.of(ticket, unreadDelta, totalDelta, TTL_SECONDS));
    // One pipelined round for every recipient, whatever their number.
    return APPLY.batch(redis, calls).timeout(timeout(calls), TimeUnit.MILLISECONDS).transform(ar -> {
      Map<String, Long> counts = new HashMap<>(users.size() * 2);
      List<String> missing = new ArrayList<>();
      if (ar.failed()) {
        LOG.warn("could not update {} inbox counter(s); they will be rebuilt when Redis answers: {}",
            users.size(), ar.cause().toString());
        markStale(users);
        missing.addAll(users);
      } else {
        int i = 0;
        for (Response chunk : ar.result()) {
          for (int j = 0; j < chunk.size(); j++, i++) {
            String user = users.get(i);
            Response n = chunk.get(j);
            if (n == null || isStale(user)) missing.add(user);
            else counts.put(user, n.toLong());
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

  /** Drops the counters of these users after a committed change that did not announce itself (a purge). */
  Future<Void> invalidate(Collection<String> users) {
    if (redis == null || users.isEmpty()) return Future.succeededFuture();
    List<String> list = List.copyOf(users);
    List<RedisScript.Call> calls = chunks(list, List.of(TTL_SECONDS));
    return INVALIDATE.batch(redis, calls)
        .timeout(timeout(calls), TimeUnit.MILLISECONDS)
        .<Void>mapEmpty()
        .recover(t -> {
          markStale(list);
          return Future.succeededFuture();
        });
  }

  /** The user's unread and total counts. */
  Future<NotificationStore.Counts> counts(String userId) {
    return read(userId).map(Reading::counts);
  }

  /**
   * The user's counts and, when they came from a settled hash, the generation they belong to.
   *
   * @param generation the hash's {@code g} when the counts were read from Redis with no change in flight; null
   *                   when they were counted in PostgreSQL (no Redis, distrusted, a change in flight, a rebuild).
   *                   Every change of the inbox moves it, on whichever node, before the change is acknowledged.
   */
  record Reading(NotificationStore.Counts counts, String generation) {
  }

  Future<Reading> read(String userId) {
    if (redis == null || isStale(userId)) return counted(userId);
    return state(userId).transform(ar -> {
      if (ar.failed()) {
        LOG.warn("inbox counters unavailable, counting in PostgreSQL: {}", ar.cause().toString());
        return counted(userId);
      }
      State s = ar.result();
      if (s.busy()) return counted(userId);
      if (s.unread() != null && s.total() != null) {
        return Future.succeededFuture(new Reading(new NotificationStore.Counts(s.unread(), s.total()),
            s.generation().isEmpty() ? null : s.generation()));
      }
      return afterRead.get().compose(x -> store.counts(userId))
          .compose(c -> beforeStore.get().compose(x -> storeIfUnchanged(userId, s.generation(), c))
              .map(new Reading(c, null)));
    });
  }

  private Future<Reading> counted(String userId) {
    return store.counts(userId).map(c -> new Reading(c, null));
  }

  /** A user's hash as a read sees it: counts (null when absent), generation, and whether a change is in flight. */
  private record State(Long unread, Long total, String generation, boolean busy) {
  }

  /**
   * The hot path is one plain {@code HGETALL}. Only when tickets are present, and all look expired by this
   * node's clock, does the read go through the script that expires them under Redis' own clock; a node
   * clock that is off only makes that happen early (counts dropped and rebuilt) or late (counted in
   * PostgreSQL meanwhile), never wrong.
   */
  private Future<State> state(String userId) {
    String key = key(userId);
    return redis.send(Request.cmd(Command.HGETALL).arg(key)).timeout(timeoutMillis, TimeUnit.MILLISECONDS)
        .compose(h -> {
          Long n = null;
          Long t = null;
          String g = "";
          boolean tickets = false;
          boolean live = false;
          long now = System.currentTimeMillis();
          for (String field : h.getKeys()) {
            switch (field) {
              case "n" -> n = h.get(field).toLong();
              case "t" -> t = h.get(field).toLong();
              case "g" -> g = h.get(field).toString();
              default -> {
                if (field.startsWith("p:")) {
                  tickets = true;
                  live |= h.get(field).toLong() > now;
                }
              }
            }
          }
          if (!tickets) return Future.succeededFuture(new State(n, t, g, false));
          if (live) return Future.succeededFuture(new State(n, t, g, true));
          return READ.send(redis, List.of(key)).timeout(timeoutMillis, TimeUnit.MILLISECONDS).map(r -> new State(
              r.get(0) == null ? null : r.get(0).toLong(), r.get(1) == null ? null : r.get(1).toLong(),
              r.get(2) == null ? "" : r.get(2).toString(), r.get(3).toInteger() == 1));
        });
  }

  private Future<Void> storeIfUnchanged(String userId, String generation, NotificationStore.Counts c) {
    return STORE.send(redis, List.of(key(userId)), generation, c.unread(), c.total(), TTL_SECONDS)
        .timeout(timeoutMillis, TimeUnit.MILLISECONDS)
        .<Void>mapEmpty()
        .recover(t -> Future.succeededFuture()); // the counts are right either way; the next read retries
  }

  /** The command timeout per script call: a pipeline of many 1,000-key calls gets as many times the budget. */
  private long timeout(List<RedisScript.Call> calls) {
    return timeoutMillis * Math.max(1, calls.size());
  }

  private static List<RedisScript.Call> chunks(List<String> users, List<Object> args) {
    List<RedisScript.Call> calls = new ArrayList<>();
    for (int from = 0; from < users.size(); from += CHUNK) {
      List<String> keys = new ArrayList<>(Math.min(CHUNK, users.size() - from));
      for (String u : users.subList(from, Math.min(users.size(), from + CHUNK))) keys.add(key(u));
      calls.add(new RedisScript.Call(keys, args));
    }
    return calls;
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
    if ((!allStale && stale.isEmpty()) || !flushing.compareAndSet(false, true)) return Future.succeededFuture();
    Future<Void> done = allStale ? dropAll() : dropSome();
    return done.onComplete(ar -> flushing.set(false))
        .onFailure(t -> LOG.debug("Redis still unavailable: {}", t.toString()))
        .recover(t -> Future.succeededFuture());
  }

  private Future<Void> dropSome() {
    List<String> users = new ArrayList<>(stale);
    List<RedisScript.Call> calls = chunks(users, List.of(TTL_SECONDS));
    return INVALIDATE.batch(redis, calls)
        .timeout(timeout(calls), TimeUnit.MILLISECONDS).map(x -> {
          users.forEach(stale::remove);
          LOG.info("Redis answers again: dropped {} inbox counter(s) that may have missed changes", users.size());
          return null;
        });
  }

  private Future<Void> dropAll() {
    return scanAndInvalidate("0").map(x -> {
      allStale = false;
      stale.clear();
      LOG.info("Redis answers again: dropped every inbox counter");
      return null;
    });
  }

  private Future<Void> scanAndInvalidate(String cursor) {
    Request scan = Request.cmd(Command.SCAN).arg(cursor).arg("MATCH").arg(KEY_PREFIX + "*").arg("COUNT").arg(CHUNK);
    return redis.send(scan).timeout(timeoutMillis, TimeUnit.MILLISECONDS).compose(r -> {
      String next = r.get(0).toString();
      List<String> keys = new ArrayList<>();
      r.get(1).forEach(k -> keys.add(k.toString()));
      Future<?> dropped = keys.isEmpty() ? Future.succeededFuture()
          : INVALIDATE.send(redis, keys, TTL_SECONDS).timeout(timeoutMillis, TimeUnit.MILLISECONDS);
      return dropped.compose(x -> "0".equals(next) ? Future.<Void>succeededFuture() : scanAndInvalidate(next));
    });
  }
}
