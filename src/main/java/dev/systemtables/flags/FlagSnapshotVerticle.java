package dev.systemtables.flags;

import dev.systemtables.NodeContext;
import dev.systemtables.common.ServiceBus;
import dev.systemtables.push.BrowserAddresses;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;

/**
 * Keeps the node's {@link FlagSnapshots} current; the only writer of the snapshot, so one per node (its
 * reloads must never overlap: one asked for while another runs starts when that one ends, so an older read
 * can never replace a newer snapshot).
 *
 * <p>A change reaches every node's snapshot within a second by three paths: the node that wrote reloads at
 * once ({@link FlagReloads}) and publishes {@link #RELOAD_SIGNAL} to the cluster; the write's transaction
 * also NOTIFYs {@link FlagStore#NOTIFY_CHANNEL}, which every instance sharing the database LISTENs to
 * (clustered or not); and a periodic full reload ({@code flags.reloadSeconds}) catches anything the signals
 * missed, e.g. while the LISTEN connection was being re-established. Each NOTIFY is also published locally
 * to browsers on {@code flags.changed} (names only), once per node.
 */
public final class FlagSnapshotVerticle extends VerticleBase implements FlagReloads {

  private static final Logger LOG = LoggerFactory.getLogger(FlagSnapshotVerticle.class);

  /** Cluster-wide publish {@code {"origin": nodeId, "names": [...]}} after a write. Internal: never bridged. */
  public static final String RELOAD_SIGNAL = "flags.internal.reload";
  /** Names the LISTEN connection in {@code pg_stat_activity} (operators and tests can find it). */
  public static final String LISTEN_APPLICATION_NAME = "system-tables-flags-listen";
  /** The {@code event} member of browser messages. */
  static final String BROWSER_EVENT = "flags.changed";

  private static final long RECONNECT_MAX_DELAY_MS = 5_000;
  private static final int FIRST_LOAD_ATTEMPTS = 6;
  private static final long LISTEN_WAIT_MS = 2_000;

  private final NodeContext node;
  private final FlagSnapshots snapshots;
  private Pool pool;
  private FlagStore store;
  private PgSubscriber subscriber;
  private long periodicTimer = -1;
  private long listenRetryTimer = -1;
  private boolean stopping;
  private boolean loadBegun;
  private boolean reloading;
  private Promise<Void> queuedReload;

  public FlagSnapshotVerticle(NodeContext node) {
    this.node = node;
    this.snapshots = node.flags();
  }

  @Override
  public Future<?> start() {
    pool = node.database().pool(vertx, "flagSnapshots");
    store = new FlagStore(pool);
    MessageConsumer<ServiceBus.Call> served = ServiceBus.expose(vertx, FlagReloads.class, this);
    // Cluster-wide on purpose (a publish signal, not request/reply): the other nodes must hear it.
    MessageConsumer<JsonObject> signals = vertx.eventBus().consumer(RELOAD_SIGNAL, msg -> {
      if (!node.nodeId().equals(msg.body().getString("origin"))) reload();
    });

    long periodMs = Math.max(1, node.config().section("flags").getInteger("reloadSeconds", 30)) * 1000L;
    periodicTimer = vertx.setPeriodic(periodMs, id -> reload());

    PgConnectOptions listenOptions = node.database().connectOptions()
        .addProperty("application_name", LISTEN_APPLICATION_NAME);
    subscriber = PgSubscriber.subscriber(vertx, listenOptions)
        // Never give up: back off to at most 5 s between attempts while PostgreSQL is away.
        .reconnectPolicy(attempt -> Math.min(RECONNECT_MAX_DELAY_MS, 100L << Math.min(attempt, 6)));
    Promise<Void> subscribed = Promise.promise();
    subscriber.channel(FlagStore.NOTIFY_CHANNEL)
        // Runs after every (re)connect's LISTEN: notifications sent while we were away are lost, so read
        // everything — unless the first load has not begun yet, which then reads after the LISTEN.
        .subscribeHandler(v -> context.runOnContext(x -> {
          LOG.info("listening for flag changes on channel {}", FlagStore.NOTIFY_CHANNEL);
          if (loadBegun) reload();
          subscribed.tryComplete();
        }))
        .handler(payload -> context.runOnContext(x -> onNotify(payload)));
    listen();

    // LISTEN first, then the first load, so no change falls between them; a database that refuses LISTEN
    // does not hold the start for long (the retries go on, and the periodic reload covers the gap).
    // The first snapshot must be in place before HTTP serves evaluations, so a load that keeps failing
    // fails the start; a busy database at boot gets a few more tries first.
    return Future.any(subscribed.future(), vertx.timer(LISTEN_WAIT_MS))
        .compose(x -> {
          loadBegun = true;
          return firstLoad(1);
        })
        .compose(x -> Future.all(served.completion(), signals.completion()));
  }

  private Future<Void> firstLoad(int attempt) {
    return reload().recover(t -> {
      if (attempt >= FIRST_LOAD_ATTEMPTS) return Future.failedFuture(t);
      LOG.warn("first flag load failed (attempt {} of {}): {}", attempt, FIRST_LOAD_ATTEMPTS, t.toString());
      return vertx.timer(500L * attempt).compose(x -> firstLoad(attempt + 1));
    });
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    vertx.cancelTimer(periodicTimer);
    vertx.cancelTimer(listenRetryTimer);
    Future<Void> listen = subscriber == null ? Future.succeededFuture() : subscriber.close();
    return listen.eventually(() -> pool == null ? Future.succeededFuture() : pool.close());
  }

  private void listen() {
    if (stopping) return;
    subscriber.connect().onFailure(t -> {
      if (stopping) return;
      LOG.warn("cannot LISTEN for flag changes ({}); retrying in 1 s, the periodic reload still runs", t.toString());
      // A failed first connect leaves the subscriber neither closed nor connected; reset it before trying again.
      subscriber.close().onComplete(x -> listenRetryTimer = vertx.setTimer(1_000, id -> listen()));
    });
  }

  private void onNotify(String payload) {
    Future<Void> reloaded = reload();
    JsonArray names;
    try {
      Object parsed = payload == null || payload.isBlank() ? new JsonArray() : new JsonArray(payload);
      names = (JsonArray) parsed;
    } catch (DecodeException | ClassCastException e) {
      LOG.warn("unreadable {} payload: {}", FlagStore.NOTIFY_CHANNEL, payload);
      names = new JsonArray();
    }
    // Local only: every node receives the NOTIFY itself, so a cluster-wide publish would reach browsers twice.
    // Only once this node's snapshot holds the change (or its reload failed): a browser that asks again on the
    // event (REST, or an OpenFeature provider's re-fetch) must get the new values, not the old ones (or a 304).
    JsonObject event = new JsonObject().put("event", BROWSER_EVENT).put("names", names);
    reloaded.onComplete(x -> vertx.eventBus().publish(BrowserAddresses.FLAGS_CHANGED, event,
        new DeliveryOptions().setLocalOnly(true)));
  }

  /** Reads every flag and segment and installs a new snapshot; calls during a running reload share one follow-up reload. */
  @Override
  public Future<Void> reload() {
    if (reloading) {
      if (queuedReload == null) queuedReload = Promise.promise();
      return queuedReload.future();
    }
    reloading = true;
    Promise<Void> done = Promise.promise();
    store.loadSnapshot(Instant.now()).onComplete(ar -> {
      if (ar.succeeded()) {
        snapshots.replace(ar.result());
      } else {
        LOG.warn("flag reload failed, keeping the previous snapshot: {}", ar.cause().toString());
      }
      reloading = false;
      Promise<Void> next = queuedReload;
      queuedReload = null;
      if (next != null) reload().onComplete(next);
      done.handle(ar.mapEmpty());
    });
    return done.future();
  }
}
