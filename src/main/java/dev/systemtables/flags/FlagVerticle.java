package dev.systemtables.flags;

import dev.systemtables.NodeContext;
import dev.systemtables.common.Bus;
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
import java.util.List;

/**
 * Owns {@code feature_flags} and {@code feature_flag_audit}, and keeps the node's {@link FlagSnapshots}
 * current: it is the only writer of the snapshot.
 *
 * <p>A change reaches every node's snapshot within a second by three paths: after each write this
 * node reloads and publishes {@link FlagContract#RELOAD_SIGNAL} to the cluster; the write's
 * transaction also NOTIFYs {@link FlagContract#NOTIFY_CHANNEL}, which every instance sharing the
 * database LISTENs to (clustered or not); and a periodic full reload ({@code flags.reloadSeconds})
 * catches anything the signals missed, e.g. while the LISTEN connection was being re-established.
 * Reloads never overlap: one asked for while another runs starts when that one ends, so an older
 * read can never replace a newer snapshot.
 */
public final class FlagVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(FlagVerticle.class);

  /** Names the LISTEN connection in {@code pg_stat_activity} (operators and tests can find it). */
  public static final String LISTEN_APPLICATION_NAME = "system-tables-flags-listen";
  private static final long RECONNECT_MAX_DELAY_MS = 5_000;

  private final NodeContext node;
  private final FlagSnapshots snapshots;
  private Pool pool;
  private FlagStore store;
  private PgSubscriber subscriber;
  private MessageConsumer<JsonObject> reloadSignals;
  private long periodicTimer = -1;
  private long listenRetryTimer = -1;
  private boolean stopping;

  private boolean reloading;
  private Promise<Void> queuedReload;

  public FlagVerticle(NodeContext node) {
    this.node = node;
    this.snapshots = node.flags();
  }

  @Override
  public Future<?> start() {
    pool = node.database().pool(vertx, "flags", 2);
    store = new FlagStore(pool);
    Bus.serve(vertx, FlagContract.LIST, body -> store.list().map(flags -> new JsonObject().put("flags", flags)));
    Bus.serve(vertx, FlagContract.CREATE, body -> written(store.create(body, body.getString("actor"))));
    Bus.serve(vertx, FlagContract.UPDATE, body -> written(
        store.update(body.getString("id"), body.getJsonObject("changes"), body.getString("actor"))));
    Bus.serve(vertx, FlagContract.DELETE, body -> written(store.delete(body.getString("id"), body.getString("actor")))
        .map(x -> null));
    Bus.serve(vertx, FlagContract.AUDIT, body -> store.audit(body.getString("id"))
        .map(entries -> new JsonObject().put("entries", entries)));

    // Cluster-wide on purpose (a publish signal, not request/reply): the other nodes must hear it.
    reloadSignals = vertx.eventBus().consumer(FlagContract.RELOAD_SIGNAL, msg -> {
      if (!node.nodeId().equals(msg.body().getString("origin"))) reload();
    });

    long periodMs = Math.max(1, node.config().section("flags").getInteger("reloadSeconds", 30)) * 1000L;
    periodicTimer = vertx.setPeriodic(periodMs, id -> reload());

    PgConnectOptions listenOptions = node.database().connectOptions()
        .addProperty("application_name", LISTEN_APPLICATION_NAME);
    subscriber = PgSubscriber.subscriber(vertx, listenOptions)
        // Never give up: back off to at most 5 s between attempts while PostgreSQL is away.
        .reconnectPolicy(attempt -> Math.min(RECONNECT_MAX_DELAY_MS, 100L << Math.min(attempt, 6)));
    subscriber.channel(FlagContract.NOTIFY_CHANNEL)
        // Runs after every (re)connect's LISTEN: notifications sent while we were away are lost, so read everything.
        .subscribeHandler(v -> context.runOnContext(x -> {
          LOG.info("listening for flag changes on channel {}", FlagContract.NOTIFY_CHANNEL);
          reload();
        }))
        .handler(payload -> context.runOnContext(x -> onNotify(payload)));

    // The first snapshot must be in place before HTTP serves evaluations, so a failed load fails the start.
    return reload().compose(x -> reloadSignals.completion()).onSuccess(x -> listen());
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

  /** After a committed write: tell the cluster, then reload here so this node reads its own write. */
  private Future<JsonObject> written(Future<FlagStore.Change> write) {
    return write.compose(change -> {
      vertx.eventBus().publish(FlagContract.RELOAD_SIGNAL,
          new JsonObject().put("origin", node.nodeId()).put("names", new JsonArray(change.names())));
      return reload().otherwise(t -> null).map(change.flag());
    });
  }

  private void onNotify(String payload) {
    reload();
    JsonArray names;
    try {
      Object parsed = payload == null || payload.isBlank() ? new JsonArray() : new JsonArray(payload);
      names = (JsonArray) parsed;
    } catch (DecodeException | ClassCastException e) {
      LOG.warn("unreadable {} payload: {}", FlagContract.NOTIFY_CHANNEL, payload);
      names = new JsonArray();
    }
    // Local only: every node receives the NOTIFY itself, so a cluster-wide publish would reach browsers twice.
    vertx.eventBus().publish(FlagContract.BROWSER_ADDRESS,
        new JsonObject().put("event", FlagContract.BROWSER_EVENT).put("names", names),
        new DeliveryOptions().setLocalOnly(true));
  }

  /** Reads every flag and installs a new snapshot; calls during a running reload share one follow-up reload. */
  private Future<Void> reload() {
    if (reloading) {
      if (queuedReload == null) queuedReload = Promise.promise();
      return queuedReload.future();
    }
    reloading = true;
    Promise<Void> done = Promise.promise();
    store.loadAll().onComplete(ar -> {
      if (ar.succeeded()) {
        List<Flag> flags = ar.result();
        snapshots.replace(FlagSnapshot.of(flags, Instant.now()));
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
