package dev.systemtables.notifications;

import dev.systemtables.db.Database;
import dev.systemtables.testing.TestApp;
import dev.systemtables.testing.TestDatabases;
import dev.systemtables.testing.TestRedis;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.core.Promise;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The inbox counters under forced interleavings of a change (announce, commit in PostgreSQL, apply) and a
 * rebuild (read the generation, count in PostgreSQL, store): whatever the order, the count in Redis equals
 * PostgreSQL's, never a change counted twice or lost.
 */
@DisplayName("Inbox counters: no interleaving of a change and a rebuild counts twice or loses a change")
class InboxCountersInterleavingTest {

  static Vertx vertx;
  static Database database;
  static Pool pool;
  static Redis redis;
  static String databaseUrl;
  static NotificationStore store;

  @BeforeAll
  static void start() {
    String redisUrl = TestRedis.require();
    databaseUrl = TestDatabases.freshDatabase();
    database = Database.open(TestApp.baseConfig().with(Map.of("DATABASE_URL", databaseUrl)));
    vertx = Vertx.vertx();
    pool = database.pool(vertx, "notifications");
    store = new NotificationStore(pool);
    redis = Redis.createClient(vertx, new RedisOptions().setConnectionString(redisUrl).setMaxPoolWaiting(10_000));
  }

  @AfterAll
  static void stop() {
    if (vertx != null) vertx.close().await();
    if (database != null) database.close();
  }

  static InboxCounters counters(long leaseMs) {
    return new InboxCounters(vertx, redis, 2_000, store, leaseMs);
  }

  /** A user of this run (the Redis outlives the test database) with no counters yet. */
  static String user() {
    return "ic-" + UUID.randomUUID();
  }

  /** A notification committed in PostgreSQL, as a create's transaction would. */
  static void insertUnread(String user) {
    TestDatabases.execute(databaseUrl, "INSERT INTO notifications (id, user_id, type, title, message) "
        + "VALUES (notification_id(), '" + user + "', 'SYSTEM', 't', 'm')");
  }

  static long truth(String user) {
    return store.counts(user).await().unread();
  }

  static Long cached(String user) {
    var r = redis.send(Request.cmd(Command.HGET).arg(InboxCounters.key(user)).arg("n")).await();
    return r == null ? null : r.toLong();
  }

  /** A point where a rebuild waits: the test sees it arrive, does what it wants, then lets it go on. */
  static final class Gate {
    final Promise<Void> reached = Promise.promise();
    final Promise<Void> open = Promise.promise();

    Future<Void> pass() {
      reached.tryComplete();
      return open.future();
    }

    void awaitReached() throws Exception {
      reached.future().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("A change committed before the rebuild counts, applied after it stores, is not counted twice")
  void committedBeforeCountAppliedAfterStore() throws Exception {
    InboxCounters counters = counters(InboxCounters.LEASE_MS);
    String user = user();
    insertUnread(user);
    Gate read = new Gate();
    Gate store = new Gate();
    counters.interleave(read::pass, store::pass);
    Future<NotificationStore.Counts> rebuild = counters.counts(user);
    read.awaitReached();
    // The rebuild has read the generation; the change announces itself and commits before it counts.
    InboxCounters.Change change = counters.begin(List.of(user)).await();
    insertUnread(user);
    read.open.complete();
    store.awaitReached();
    store.open.complete();
    assertThat(rebuild.await(10, TimeUnit.SECONDS).unread()).isEqualTo(2);
    counters.interleave(Future::succeededFuture, Future::succeededFuture);
    counters.commit(change, 1, 1).await(); // applied after the rebuild stored (or tried to)

    assertThat(counters.counts(user).await().unread()).isEqualTo(truth(user)).isEqualTo(2);
  }

  @Test
  @DisplayName("A change announced, committed and applied while the rebuild waits to store is neither lost nor doubled")
  void committedDuringThePause() throws Exception {
    InboxCounters counters = counters(InboxCounters.LEASE_MS);
    String user = user();
    insertUnread(user);
    Gate store = new Gate();
    counters.interleave(Future::succeededFuture, store::pass);
    Future<NotificationStore.Counts> rebuild = counters.counts(user);
    store.awaitReached();
    // The rebuild counted 1; now a change announces itself, commits, and applies before the store.
    InboxCounters.Change change = counters.begin(List.of(user)).await();
    insertUnread(user);
    counters.commit(change, 1, 1).await();
    store.open.complete();
    assertThat(rebuild.await(10, TimeUnit.SECONDS).unread()).isEqualTo(1);
    counters.interleave(Future::succeededFuture, Future::succeededFuture);

    assertThat(counters.counts(user).await().unread()).isEqualTo(truth(user)).isEqualTo(2);
  }

  @Test
  @DisplayName("A change committed after the rebuild counted, applied after it stored, is added once")
  void committedAfterCount() throws Exception {
    InboxCounters counters = counters(InboxCounters.LEASE_MS);
    String user = user();
    insertUnread(user);
    Gate store = new Gate();
    counters.interleave(Future::succeededFuture, store::pass);
    Future<NotificationStore.Counts> rebuild = counters.counts(user);
    store.awaitReached();
    InboxCounters.Change change = counters.begin(List.of(user)).await();
    insertUnread(user);
    store.open.complete();
    assertThat(rebuild.await(10, TimeUnit.SECONDS).unread()).isEqualTo(1);
    counters.interleave(Future::succeededFuture, Future::succeededFuture);
    counters.commit(change, 1, 1).await();

    assertThat(counters.counts(user).await().unread()).isEqualTo(truth(user)).isEqualTo(2);
  }

  @Test
  @DisplayName("A change announced but never applied (its node died) stops counts being cached until its lease ends, then is rebuilt")
  void crashedChange() throws Exception {
    InboxCounters counters = counters(300);
    String user = user();
    insertUnread(user);
    assertThat(counters.counts(user).await().unread()).isEqualTo(1);
    assertThat(cached(user)).isEqualTo(1);
    counters.begin(List.of(user)).await();
    insertUnread(user); // committed, and then the node "dies": no apply ever comes
    assertThat(counters.counts(user).await().unread()).as("from PostgreSQL while the change is in flight").isEqualTo(2);
    assertThat(cached(user)).as("the cached count is not trusted meanwhile").isEqualTo(1);
    Thread.sleep(400); // the lease is a Redis-clock deadline: only real time can end it
    assertThat(counters.counts(user).await().unread()).isEqualTo(2);
    assertThat(cached(user)).as("rebuilt once the lease ended").isEqualTo(2);
  }

  @Test
  @DisplayName("A change whose lease ran out before it applied drops the counters rather than adding to them")
  void lateChange() throws Exception {
    InboxCounters counters = counters(100);
    String user = user();
    InboxCounters.Change change = counters.begin(List.of(user)).await();
    insertUnread(user);
    Thread.sleep(200); // slower than its lease
    assertThat(counters.counts(user).await().unread()).isEqualTo(1); // expired ticket: rebuilt with the change in it
    assertThat(cached(user)).isEqualTo(1);
    counters.commit(change, 1, 1).await();
    assertThat(cached(user)).as("dropped, not doubled").isNull();
    assertThat(counters.counts(user).await().unread()).isEqualTo(truth(user)).isEqualTo(1);
  }

  @Test
  @DisplayName("Hundreds of concurrent creates, marks and rebuilds with counters dropped under them end exactly on PostgreSQL's counts")
  void randomRaces() throws Exception {
    InboxCounters counters = counters(InboxCounters.LEASE_MS);
    List<String> users = new ArrayList<>();
    for (int i = 0; i < 50; i++) users.add(user());
    List<Future<?>> work = new ArrayList<>();
    for (int round = 0; round < 400; round++) {
      String user = users.get(ThreadLocalRandom.current().nextInt(users.size()));
      int kind = ThreadLocalRandom.current().nextInt(4);
      Future<?> step = switch (kind) {
        case 0 -> counters.begin(List.of(user)).compose(c -> pool.query("INSERT INTO notifications (id, user_id, type, "
            + "title, message) VALUES (notification_id(), '" + user + "', 'SYSTEM', 't', 'm')").execute()
            .compose(x -> counters.commit(c, 1, 1)));
        case 1 -> counters.begin(List.of(user)).compose(c -> store.readAll(user)
            .compose(n -> counters.commit(c, -n, 0)));
        case 2 -> counters.counts(user);
        default -> redis.send(Request.cmd(Command.HDEL).arg(InboxCounters.key(user)).arg("n").arg("t"));
      };
      work.add(step);
    }
    Future.join(work).await(60, TimeUnit.SECONDS);
    for (String user : users) {
      assertThat(counters.counts(user).await().unread()).as(user).isEqualTo(truth(user));
    }
  }
}
