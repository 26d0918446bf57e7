package dev.systemtables.flags;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Applies due scheduled changes, on every node. Which node applies a change is decided in PostgreSQL
 * ({@link FlagStore#applyScheduled}: the change is flipped from {@code pending} to {@code applied} in the
 * transaction of the flag update), so every node may look and each change is still applied once.
 *
 * <p>A node looks every {@code flags.scheduledChanges.checkSeconds} (default 5) and, in between, at the
 * moment the next pending change is due (a timer armed after each look, and after a change is scheduled
 * here), so a change is applied within moments of its time on an otherwise idle cluster. Due-ness is
 * PostgreSQL's {@code now()}, never a node's clock. One instance per node, running on its verticle's
 * context; looks never overlap.
 */
final class FlagScheduler {

  private static final Logger LOG = LoggerFactory.getLogger(FlagScheduler.class);
  /** Changes applied per look; a longer backlog is worked off by the next look, right after. */
  static final int BATCH = 100;
  /** How soon a node looks again when a change it saw is still due after its look. */
  static final long RETRY_MS = 250;

  private final Vertx vertx;
  private final Context context;
  private final FlagStore store;
  private final FlagServiceImpl service;
  private final long checkMs;
  private long periodic = -1;
  private long nextTimer = -1;
  private boolean looking;
  private boolean lookAgain;
  private boolean stopped;

  FlagScheduler(Vertx vertx, Context context, FlagStore store, FlagServiceImpl service, long checkMs) {
    this.vertx = vertx;
    this.context = context;
    this.store = store;
    this.service = service;
    this.checkMs = checkMs;
  }

  void start() {
    periodic = vertx.setPeriodic(checkMs, id -> look());
    look();
  }

  void stop() {
    stopped = true;
    vertx.cancelTimer(periodic);
    vertx.cancelTimer(nextTimer);
  }

  /** Something was scheduled (from any event loop): look again soon, so its timer is armed. */
  void poke() {
    context.runOnContext(x -> look());
  }

  private void look() {
    if (stopped) return;
    if (looking) {
      lookAgain = true;
      return;
    }
    looking = true;
    store.dueChanges(BATCH)
        .compose(this::applyInOrder)
        .compose(looked -> store.nextChangeInMs().map(wait -> {
          // A full batch: more may be due right now. Still due after a look (another node is applying an earlier
          // change of the same flag, or a change keeps meeting an unreachable database): look again shortly,
          // not at once.
          armNext(looked >= BATCH ? Long.valueOf(0) : wait == null ? null : Math.max(wait, RETRY_MS));
          return null;
        }))
        .onFailure(t -> LOG.warn("could not apply scheduled flag changes (retried at the next look): {}", t.toString()))
        .onComplete(x -> {
          looking = false;
          if (lookAgain) {
            lookAgain = false;
            look();
          }
        });
  }

  private Future<Integer> applyInOrder(List<String> ids) {
    Future<Integer> chain = Future.succeededFuture(0);
    for (String id : ids) {
      chain = chain.compose(n -> service.applyScheduled(id).map(outcome -> {
        if (outcome != null) LOG.info("scheduled flag change {} {}", id, outcome);
        return n + 1;
      }));
    }
    return chain;
  }

  private void armNext(Long waitMs) {
    if (stopped || waitMs == null || waitMs >= checkMs) return;
    if (nextTimer >= 0) vertx.cancelTimer(nextTimer);
    // A few ms late rather than early: due-ness is the database's now().
    nextTimer = vertx.setTimer(Math.max(1, waitMs + 5), id -> {
      nextTimer = -1;
      look();
    });
  }
}
