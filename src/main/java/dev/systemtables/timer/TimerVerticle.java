package dev.systemtables.timer;

import dev.systemtables.NodeContext;
import dev.systemtables.common.ApiException;
import dev.systemtables.common.Bus;
import dev.systemtables.common.ErrorCode;
import dev.systemtables.common.Fields;
import dev.systemtables.common.Ids;
import dev.systemtables.idempotency.IdempotencyContract;
import dev.systemtables.notifications.NotificationContract;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs the cleanup jobs on their cron schedules, each slot once across every node, and records each
 * run in {@code job_runs} (the only table it owns). The work itself belongs to the domains owning
 * the tables: a run is one purge request to the idempotency or notification domain.
 *
 * <p>At start-up, at each slot (a timer armed for the next one) and every {@code jobs.checkSeconds}
 * the node looks at the latest slot at or before now and claims it with an insert that only one node
 * can win; the winner runs it. So a node that was down at a slot runs the most recent missed slot
 * once when it comes back (older missed slots are not replayed: a purge catches up by itself), and a
 * slot another node already ran is left alone. Runs left RUNNING by a node that died are marked
 * FAILED by the same check.
 */
public final class TimerVerticle extends VerticleBase {

  static final String RUNNING = "RUNNING";
  static final String SUCCEEDED = "SUCCEEDED";
  static final String FAILED = "FAILED";

  private static final Logger LOG = LoggerFactory.getLogger(TimerVerticle.class);
  private static final int MAX_ERROR_LENGTH = 2000;
  // A slot timer never sleeps longer than this: wall-clock jumps and far-away slots are re-planned.
  private static final long MAX_SLOT_TIMER_MS = TimeUnit.HOURS.toMillis(1);

  private final NodeContext node;
  private final Clock clock;
  // Per job, the latest slot whose claim was decided (won or lost) on this node: no need to ask again.
  private final Map<String, Instant> decided = new HashMap<>();
  private JobSettings settings;
  private Pool pool;
  private JobStore store;
  private JobMetrics metrics;
  private long slotTimer = -1;
  private long checkTimer = -1;
  private boolean stopping;

  public TimerVerticle(NodeContext node) {
    this(node, Clock.systemUTC());
  }

  /** With another clock for the slots (tests move time); run timestamps always come from the database. */
  public TimerVerticle(NodeContext node, Clock clock) {
    this.node = node;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    try {
      settings = JobSettings.from(node.config().section("jobs"));
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    pool = node.database().pool(vertx, "jobs", 2);
    store = new JobStore(pool);
    metrics = new JobMetrics(node.metrics(), JobsContract.JOB_NAMES);
    Bus.serve(vertx, JobsContract.LIST, body -> list());
    Bus.serve(vertx, JobsContract.RUN, body -> runNow(Fields.requiredString(body, "name")));
    checkTimer = vertx.setPeriodic(settings.checkInterval().toMillis(), id -> check());
    // Start-up waits for the claims (not for the runs), so a node is up once it has taken its missed slots.
    return check();
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    vertx.cancelTimer(checkTimer);
    vertx.cancelTimer(slotTimer);
    if (store == null) return Future.succeededFuture();
    // This node will not finish its runs: say so now rather than leave them for the stale check.
    return store.abandonOwn(node.nodeId())
        .timeout(2, TimeUnit.SECONDS)
        .onFailure(t -> LOG.warn("could not mark this node's unfinished runs: {}", t.toString()))
        .eventually(() -> pool.close());
  }

  /** Marks abandoned runs, claims and starts every due slot, re-arms the slot timer. Never fails. */
  private Future<Void> check() {
    if (stopping) return Future.succeededFuture();
    Instant now = clock.instant();
    return store.failStale(settings.staleAfter())
        .onSuccess(slots -> {
          if (!slots.isEmpty()) LOG.warn("marked abandoned runs FAILED: {}", slots);
        })
        .<Void>mapEmpty()
        .recover(t -> {
          LOG.warn("could not check for abandoned runs: {}", t.toString());
          return Future.succeededFuture();
        })
        .compose(x -> {
          List<Future<Void>> claims = new ArrayList<>();
          for (JobSettings.Job job : settings.jobs()) claims.add(claimDue(job, now));
          return Future.join(claims).<Void>mapEmpty();
        })
        .recover(t -> Future.succeededFuture())
        .onComplete(x -> armSlotTimer());
  }

  private Future<Void> claimDue(JobSettings.Job job, Instant now) {
    Optional<Instant> due = job.schedule().lastAtOrBefore(now);
    if (due.isEmpty() || due.get().equals(decided.get(job.name()))) return Future.succeededFuture();
    Instant slot = due.get();
    return claimAndRun(job, slot)
        .onSuccess(runId -> decided.put(job.name(), slot))
        .onFailure(t -> LOG.warn("could not claim {} slot {} (retried at the next check): {}",
            job.name(), slot, t.toString()))
        .mapEmpty();
  }

  private void armSlotTimer() {
    if (stopping) return;
    Instant now = clock.instant();
    Optional<Instant> next = settings.jobs().stream()
        .map(j -> j.schedule().nextAfter(now))
        .flatMap(Optional::stream)
        .min(Comparator.naturalOrder());
    if (slotTimer >= 0) vertx.cancelTimer(slotTimer);
    slotTimer = -1;
    next.ifPresent(at -> {
      long delay = Math.min(MAX_SLOT_TIMER_MS, Math.max(1, Duration.between(now, at).toMillis()));
      slotTimer = vertx.setTimer(delay, id -> {
        slotTimer = -1;
        check();
      });
    });
  }

  /** The run's id when this node won the slot (the run is then started), null when it was taken. */
  private Future<String> claimAndRun(JobSettings.Job job, Instant slot) {
    return store.claim(Ids.next(), job.name(), slot, node.nodeId())
        .onSuccess(runId -> {
          if (runId != null) execute(job.name(), runId, slot);
        });
  }

  private void execute(String job, String runId, Instant slot) {
    LOG.info("job {} running for slot {} (run {})", job, slot, runId);
    long started = System.nanoTime();
    Future<Long> work;
    try {
      work = purge(job, clock.instant());
    } catch (RuntimeException e) {
      work = Future.failedFuture(e);
    }
    work.transform(ar -> {
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      String status = ar.succeeded() ? SUCCEEDED : FAILED;
      long deleted = ar.succeeded() ? ar.result() : 0;
      String error = ar.succeeded() ? null : truncate(describe(ar.cause()));
      metrics.record(job, status, took, deleted);
      if (ar.succeeded()) {
        LOG.info("job {} slot {} SUCCEEDED: {} rows deleted in {} ms", job, slot, deleted, took.toMillis());
      } else {
        LOG.warn("job {} slot {} FAILED after {} ms: {}", job, slot, took.toMillis(), error);
      }
      return store.finish(runId, status, deleted, error);
    }).onFailure(t -> LOG.warn("could not record the end of run {} (the stale check will mark it): {}",
        runId, t.toString()));
  }

  /** The job's action: one purge request to the domain that owns the table. */
  private Future<Long> purge(String job, Instant now) {
    return switch (job) {
      case JobsContract.IDEMPOTENCY_CLEANUP -> request(IdempotencyContract.PURGE_EXPIRED,
          new JsonObject().put("batchSize", settings.batchSize()));
      case JobsContract.NOTIFICATION_CLEANUP -> request(NotificationContract.PURGE_READ,
          new JsonObject().put("batchSize", settings.batchSize())
              .put("readBefore", settings.readBefore(now).toString()));
      default -> throw new IllegalStateException("no action for job " + job);
    };
  }

  // Not Bus.request: a purge may take minutes, and the run record wants the real reason of a failure.
  private Future<Long> request(String address, JsonObject body) {
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(settings.runTimeout().toMillis());
    return vertx.eventBus().<Object>request(address, body, options)
        .recover(t -> Future.failedFuture(new IllegalStateException(describeReply(t, address), t)))
        .map(msg -> {
          if (msg.body() instanceof JsonObject reply && reply.getValue("deleted") instanceof Number n) {
            return n.longValue();
          }
          throw new IllegalStateException(address + " replied without a \"deleted\" count: " + msg.body());
        });
  }

  private String describeReply(Throwable t, String address) {
    if (!(t instanceof ReplyException re)) return address + ": " + t;
    return switch (re.failureType()) {
      case NO_HANDLERS -> "no consumer for " + address + " on this node";
      case TIMEOUT -> "no reply from " + address + " within " + settings.runTimeout().toMinutes() + " min";
      case RECIPIENT_FAILURE -> {
        ApiException api = ApiException.fromWire(re.getMessage());
        yield address + " failed: " + api.code().name() + ": " + api.detail();
      }
      default -> address + ": " + re.getMessage();
    };
  }

  private static String describe(Throwable t) {
    return t.getMessage() != null ? t.getMessage() : t.toString();
  }

  private static String truncate(String s) {
    return s.length() <= MAX_ERROR_LENGTH ? s : s.substring(0, MAX_ERROR_LENGTH - 1) + "…";
  }

  private Future<JsonObject> list() {
    Instant now = clock.instant();
    return store.recentRuns(JobsContract.JOB_NAMES, JobsContract.RECENT_RUNS).map(runs -> {
      JsonArray jobs = new JsonArray();
      for (JobSettings.Job job : settings.jobs()) {
        jobs.add(new JsonObject()
            .put("name", job.name())
            .put("schedule", job.schedule().expression())
            .put("nextRunAt", job.schedule().nextAfter(now).map(Instant::toString).orElse(null))
            .put("recentRuns", new JsonArray(new ArrayList<Object>(runs.get(job.name())))));
      }
      return new JsonObject().put("jobs", jobs);
    });
  }

  private Future<JsonObject> runNow(String name) {
    JobSettings.Job job = settings.job(name)
        .orElseThrow(() -> ApiException.notFound("no job named '" + name + "'; jobs are "
            + String.join(", ", JobsContract.JOB_NAMES)));
    Instant slot = job.schedule().manualSlot(clock.instant());
    return claimAndRun(job, slot).map(runId -> {
      if (runId == null) {
        throw new ApiException(ErrorCode.CONFLICT, "a run of " + name + " for " + slot + " already exists, retry");
      }
      return new JsonObject().put("name", name).put("runId", runId).put("scheduledFor", slot.toString())
          .put("status", RUNNING);
    });
  }
}
