package dev.systemtables.timer;

import dev.systemtables.NodeContext;
import dev.systemtables.common.ServiceBus;
import dev.systemtables.config.AppConfig;
import dev.systemtables.db.Database;
import dev.systemtables.idempotency.IdempotencyCleanup;
import dev.systemtables.idempotency.IdempotencyService;
import dev.systemtables.notifications.NotificationCleanup;
import dev.systemtables.notifications.NotificationService;
import dev.systemtables.testing.Stubs;
import dev.systemtables.testing.TestApp;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A node with only the timer deployed, on its own Vert.x, against a real database and with a
 * clock the test controls. It runs the real cleanup jobs, whose domain services are stand-ins
 * served on the same event bus (or absent), so the timer's own behaviour is tested whatever the
 * domains do.
 */
final class TimerNode implements AutoCloseable {

  /** A stand-in for a domain's purge: records each request (its arguments as JSON) and answers as told. */
  static final class Purge {
    final List<JsonObject> requests = new CopyOnWriteArrayList<>();
    volatile Function<JsonObject, Future<?>> answer;

    Purge(Function<JsonObject, Future<?>> answer) {
      this.answer = answer;
    }

    static Purge deleting(long n) {
      return new Purge(body -> Future.succeededFuture(n));
    }

    Future<?> call(JsonObject request) {
      requests.add(request);
      return answer.apply(request);
    }
  }

  final Vertx vertx;
  final Database database;
  final PrometheusMeterRegistry registry;
  final String nodeId;

  private TimerNode(Vertx vertx, Database database, PrometheusMeterRegistry registry, String nodeId) {
    this.vertx = vertx;
    this.database = database;
    this.registry = registry;
    this.nodeId = nodeId;
  }

  static AppConfig config(String databaseUrl, JsonObject yamlPatch) {
    return TestApp.baseConfig().withYaml(yamlPatch, Map.of("DATABASE_URL", databaseUrl));
  }

  /** Applies the migrations (what any node does first), so a test can seed job_runs before a timer starts. */
  static void migrate(String databaseUrl) {
    Database.open(config(databaseUrl, new JsonObject())).close();
  }

  /** Starts a timer node; a null purge means no consumer for that address. */
  static TimerNode start(String databaseUrl, Clock clock, JsonObject yamlPatch, Purge idempotency, Purge notifications) {
    AppConfig config = config(databaseUrl, yamlPatch);
    Database db = Database.open(config);
    Vertx vertx = Vertx.vertx();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    String nodeId = "timer-node-" + UUID.randomUUID();
    if (idempotency != null) {
      Stubs.serve(vertx, IdempotencyService.class, "purgeExpired",
          args -> idempotency.call(new JsonObject().put("batchSize", args[0])));
    }
    if (notifications != null) {
      Stubs.serve(vertx, NotificationService.class, "purgeRead", args -> notifications.call(
          new JsonObject().put("batchSize", args[1]).put("readBefore", args[0].toString())));
    }
    // Only what the timer reads from the node: config, database, metrics and its id.
    NodeContext node = new NodeContext(config, db, null, null, null, null, registry, nodeId, null, null, 1, clock);
    List<CleanupJob> jobs = List.of(
        new IdempotencyCleanup(ServiceBus.proxy(vertx, IdempotencyService.class)),
        new NotificationCleanup(ServiceBus.proxy(vertx, NotificationService.class), config.section("jobs")));
    try {
      vertx.deployVerticle(new TimerVerticle(node, jobs)).await();
    } catch (RuntimeException e) {
      vertx.close().await();
      db.close();
      throw e;
    }
    return new TimerNode(vertx, db, registry, nodeId);
  }

  double runs(String job, String status) {
    var c = registry.find(JobMetrics.RUNS).tags("job", job, "status", status).counter();
    return c == null ? 0 : c.count();
  }

  /** Rounds of looking for due slots this node has made so far. */
  double checks() {
    var c = registry.find(JobMetrics.CHECKS).counter();
    return c == null ? 0 : c.count();
  }

  /** Waits until this node has made {@code more} further rounds of looking for due slots. */
  void awaitChecks(int more) {
    double target = checks() + more;
    JobRuns.eventually(this::checks, n -> n >= target);
  }

  @Override
  public void close() {
    vertx.close().await();
    database.close();
  }
}
