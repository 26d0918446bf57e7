package dev.systemtables.timer;

import dev.systemtables.NodeContext;
import dev.systemtables.common.ApiException;
import dev.systemtables.common.ErrorCode;
import dev.systemtables.common.Ids;
import dev.systemtables.common.ServiceBus;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs the cleanup jobs on their cron schedules, each slot once across every node, and records each
 * run in {@code job_runs} (the only table it owns). The work itself belongs to the domains owning
 * the tables: each registers a {@link CleanupJob}, which deletes through its domain's service.
 *
 * <p>At start-up, at each slot (a timer armed for the next one) and every {@code jobs.checkSeconds}
 * the node looks at the latest slot at or before now and claims it with an insert that only one node
 * can win; the winner runs it. So a node that was down at a slot runs the most recent missed slot
 * once when it comes back (older missed slots are not replayed: a purge catches up by itself), and a
 * slot another node already ran is left alone. Runs left RUNNING by a node that died are marked
 * FAILED by the same check. With {@code jobs.schedulerEnabled: false} none of this runs by itself;
 * only "run now" does.
 *
 * <p>One instance per node, by design rather than load: it owns the slot timers and the decided-slot
 * memory, and it serves {@link JobService}, two admin calls an operator makes by hand.
 */
public final class TimerVerticle extends VerticleBase implements JobService {

  static final String RUNNING = "RUNNING";
  static final String SUCCEEDED = "SUCCEEDED";
  static final String FAILED = "FAILED";

  private static final Logger LOG = LoggerFactory.getLogger(TimerVerticle.class);
  private static final int MAX_ERROR_LENGTH = 2000;
  // A slot timer never sleeps longer than this: wall-clock jumps and far-away slots are re-planned.
  private static final long MAX_SLOT_TIMER_MS = TimeUnit.HOURS.toMillis(1);

  private final NodeContext node;
  private final Map<String, CleanupJob> jobs = new LinkedHashMap<>();
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

  /** Slots follow the node's clock (tests move it); run timestamps always come from the database. */
  public TimerVerticle(NodeContext node, List<CleanupJob> jobs) {
    this.node = node;
    jobs.forEach(j -> this.jobs.put(j.name(), j));
    this.clock = node.clock();
  }

  @Override
  public Future<?> start() {
    try {
      settings = JobSettings.from(node.config().section("jobs"), List.copyOf(jobs.keySet()));
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    pool = node.database().pool(vertx, "jobs");
    store = new JobStore(pool);
    metrics = new JobMetrics(node.metrics(), List.copyOf(jobs.keySet()));
    Future<Void> served = ServiceBus.expose(vertx, JobService.class, this).completion();
    if (!settings.schedulerEnabled()) {
      LOG.info("the scheduler is off on this node (jobs.schedulerEnabled: false): jobs run only when asked to");
      return served;
    }
    checkTimer = vertx.setPeriodic(settings.checkInterval().toMillis(), id -> check());
    // Start-up waits for the claims (not for the runs), so a node is up once it has taken its missed slots.
    return served.compose(x -> check());
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
        .onComplete(x -> {
          metrics.checked();
          armSlotTimer();
        });
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
          if (runId != null) execute(jobs.get(job.name()), runId, slot);
        });
  }

  private void execute(CleanupJob job, String runId, Instant slot) {
    LOG.info("job {} running for slot {} (run {})", job.name(), slot, runId);
    long started = System.nanoTime();
    Future<Long> work;
    try {
      // A purge may take minutes, but a domain that never answers must not leave the run RUNNING forever.
      work = job.run(clock.instant(), settings.batchSize()).timeout(settings.runTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (RuntimeException e) {
      work = Future.failedFuture(e);
    }
    work.transform(ar -> {
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      String status = ar.succeeded() ? SUCCEEDED : FAILED;
      long deleted = ar.succeeded() ? ar.result() : 0;
      String error = ar.succeeded() ? null : truncate(describe(ar.cause()));
      metrics.record(job.name(), status, took, deleted);
      if (ar.succeeded()) {
        LOG.info("job {} slot {} SUCCEEDED: {} rows deleted in {} ms", job.name(), slot, deleted, took.toMillis());
      } else {
        LOG.warn("job {} slot {} FAILED after {} ms: {}", job.name(), slot, took.toMillis(), error);
      }
      return store.finish(runId, status, deleted, error);
    }).onFailure(t -> LOG.warn("could not record the end of run {} (the stale check will mark it): {}",
        runId, t.toString()));
  }

  /** The run record wants the real reason of a failure, in words. */
  private String describe(Throwable t) {
    if (t instanceof ApiException api) return api.code().name() + ": " + api.detail();
    if (t instanceof java.util.concurrent.TimeoutException) {
      return "no answer within " + settings.runTimeout().toMinutes() + " min";
    }
    return t.getMessage() != null ? t.getMessage() : t.toString();
  }

  private static String truncate(String s) {
    return s.length() <= MAX_ERROR_LENGTH ? s : s.substring(0, MAX_ERROR_LENGTH - 1) + "…";
  }

  @Override
  public Future<List<JobStatus>> list() {
    Instant now = clock.instant();
    return store.recentRuns(List.copyOf(jobs.keySet()), RECENT_RUNS).map(runs -> {
      List<JobStatus> out = new ArrayList<>();
      for (JobSettings.Job job : settings.jobs()) {
        out.add(new JobStatus(job.name(), job.schedule().expression(), job.schedule().nextAfter(now).orElse(null),
            runs.get(job.name())));
      }
      return out;
    });
  }

  @Override
  public Future<JobRun> runNow(String name) {
    JobSettings.Job job = settings.job(name)
        .orElseThrow(() -> ApiException.notFound("no job named '" + name + "'; jobs are "
            + String.join(", ", jobs.keySet())));
    Instant slot = job.schedule().manualSlot(clock.instant());
    return claimAndRun(job, slot).map(runId -> {
      if (runId == null) {
        throw new ApiException(ErrorCode.CONFLICT, "a run of " + name + " for " + slot + " already exists, retry");
      }
      return new JobRun(runId, slot, node.nodeId(), RUNNING, clock.instant(), null, 0, null);
    });
  }
}
