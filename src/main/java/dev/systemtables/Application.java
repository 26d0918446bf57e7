package dev.systemtables;

import dev.systemtables.auth.TokenVerifier;
import dev.systemtables.common.RateLimiter;
import dev.systemtables.config.AppConfig;
import dev.systemtables.db.Database;
import dev.systemtables.flags.FlagSnapshotVerticle;
import dev.systemtables.flags.FlagSnapshots;
import dev.systemtables.flags.FlagVerticle;
import dev.systemtables.http.HttpVerticle;
import dev.systemtables.http.MetricLabels;
import dev.systemtables.idempotency.IdempotencyCleanup;
import dev.systemtables.idempotency.IdempotencyVerticle;
import dev.systemtables.notifications.NotificationCleanup;
import dev.systemtables.notifications.NotificationVerticle;
import dev.systemtables.ops.Drain;
import dev.systemtables.ops.Probes;
import dev.systemtables.push.PushRelay;
import dev.systemtables.timer.CleanupJob;
import dev.systemtables.timer.TimerVerticle;
import dev.systemtables.users.CallerRecorder;
import dev.systemtables.users.UsersVerticle;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Deployable;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * One running node: its Vert.x instance, its database, and its verticles. {@link Main} starts one
 * from the environment; tests start several in one JVM with their own configs.
 */
public final class Application {

  private static final Logger LOG = LoggerFactory.getLogger(Application.class);

  private final Vertx vertx;
  private final HazelcastClusterManager cluster;
  private final NodeContext node;
  private final Probes probes;
  private final Drain drain;
  private final String devToken;
  private final String httpDeployment;
  private final List<HttpVerticle> httpVerticles;

  private Application(Vertx vertx, HazelcastClusterManager cluster, NodeContext node, Probes probes, Drain drain,
                      String devToken, String httpDeployment, List<HttpVerticle> httpVerticles) {
    this.vertx = vertx;
    this.cluster = cluster;
    this.node = node;
    this.probes = probes;
    this.drain = drain;
    this.devToken = devToken;
    this.httpDeployment = httpDeployment;
    this.httpVerticles = httpVerticles;
  }

  /** The domains a node can run; a production node runs them all, a test only those it needs. */
  public enum Part { USERS, IDEMPOTENCY, NOTIFICATIONS, FLAGS, JOBS }

  /** Starts a node with every domain: database and migrations first, then the domain verticles, then HTTP. */
  public static Future<Application> start(AppConfig config) {
    return start(config, EnumSet.allOf(Part.class));
  }

  /** Starts a node running only some domains (tests); calls into a missing domain answer 503. */
  public static Future<Application> start(AppConfig config, Set<Part> parts) {
    return start(config, parts, Clock.systemUTC());
  }

  /** Same, with the clock the scheduler reads (tests move it instead of waiting for slots). */
  public static Future<Application> start(AppConfig config, Set<Part> parts, Clock clock) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    VertxOptions options = new VertxOptions()
        .setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(true)
            .setLabelMatches(MetricLabels.bounded()));
    // Completed directly, never dispatched to an event loop: after a failed boot Vert.x is closed, and a
    // failure dispatched to one of its stopped event loops would be lost (the process would hang, not exit 1).
    Promise<Application> started = Promise.promise();
    Clustering.start(config, options, new MicrometerMetricsFactory(registry), registry).onComplete(clustered -> {
      if (clustered.failed()) {
        started.fail(clustered.cause());
        return;
      }
      Vertx vertx = clustered.result().vertx();
      HazelcastClusterManager cluster = clustered.result().cluster();
      AtomicReference<Database> opened = new AtomicReference<>();
      vertx.executeBlocking(() -> Database.open(config))
          .compose(db -> {
            opened.set(db);
            return boot(vertx, cluster, config, db, registry, parts, clock);
          })
          .onComplete(booted -> {
            if (booted.succeeded()) {
              started.complete(booted.result());
            } else {
              // The closes block (bounded), so off the event loops they stop; the embedded database
              // stops after the verticles, as in shutdown().
              new Thread(() -> {
                closeVertx(vertx, cluster);
                if (opened.get() != null) opened.get().close();
                started.fail(booted.cause());
              }, "failed-start").start();
            }
          });
    });
    return started.future();
  }

  private static Future<Application> boot(Vertx vertx, HazelcastClusterManager cluster, AppConfig config, Database db,
                                          PrometheusMeterRegistry registry, Set<Part> parts, Clock clock) {
    String devToken = null;
    TokenVerifier tokens;
    if (config.jwtPublicKey() != null) {
      tokens = TokenVerifier.publicKey(vertx, config.jwtPublicKey());
    } else if (config.jwtSecret() != null) {
      tokens = TokenVerifier.hs256(vertx, config.jwtSecret());
    } else {
      byte[] secret = new byte[48];
      new SecureRandom().nextBytes(secret);
      tokens = TokenVerifier.hs256(vertx, Base64.getEncoder().encodeToString(secret));
      devToken = tokens.provider().generateToken(
          new JsonObject().put("sub", "admin").put("role", "ADMIN"),
          new JWTOptions().setExpiresInSeconds(config.devTokenHours() * 3600));
    }
    Redis redis = config.redisEnabled()
        ? Redis.createClient(vertx, new RedisOptions().setConnectionString(config.redisUrl()).setMaxPoolWaiting(10_000))
        : null;
    Domains domains = Domains.proxies(vertx);
    int loops = VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE;
    NodeContext node = new NodeContext(config, db, redis, tokens,
        new CallerRecorder(domains.users(), 500_000),
        new RateLimiter(redis, config.redisCommandTimeoutMillis()),
        registry, UUID.randomUUID().toString(), new FlagSnapshots(config.flagAnswerCacheEntries()), domains, loops, clock);
    Drain drain = Drain.from(config.section("shutdown"));
    Probes probes = new Probes(db.pool(vertx, "health"), redis, drain);
    // Each domain is one verticle per node owning its pool and shared state, serving on every event loop.
    List<Supplier<Deployable>> order = new ArrayList<>();
    order.add(PushRelay::new);
    if (parts.contains(Part.USERS)) order.add(() -> new UsersVerticle(node));
    if (parts.contains(Part.IDEMPOTENCY)) order.add(() -> new IdempotencyVerticle(node));
    if (parts.contains(Part.NOTIFICATIONS)) order.add(() -> new NotificationVerticle(node));
    if (parts.contains(Part.FLAGS)) {
      // Before HTTP: evaluations must find the first flag snapshot already loaded.
      order.add(() -> new FlagSnapshotVerticle(node));
      order.add(() -> new FlagVerticle(node));
    }
    if (parts.contains(Part.JOBS)) {
      // After the domains whose purges it runs: it may run a missed slot right away.
      List<CleanupJob> jobs = List.of(new IdempotencyCleanup(domains.idempotency()),
          new NotificationCleanup(domains.notifications(), config.section("jobs")));
      order.add(() -> new TimerVerticle(node, jobs));
    }
    Future<String> deployed = Future.succeededFuture();
    for (Supplier<Deployable> verticle : order) deployed = deployed.compose(x -> vertx.deployVerticle(verticle.get()));
    String token = devToken;
    List<HttpVerticle> http = new CopyOnWriteArrayList<>();
    return deployed
        .compose(x -> vertx.deployVerticle(() -> {
          HttpVerticle v = new HttpVerticle(node, probes);
          http.add(v);
          return v;
        }, new DeploymentOptions().setInstances(loops)))
        .map(httpId -> {
          LOG.info("system-tables listening on port {} (redis: {}, cluster: {})", config.httpPort(),
              redis != null ? "enabled" : "disabled", config.clusterEnabled());
          return new Application(vertx, cluster, node, probes, drain, token, httpId, List.copyOf(http));
        });
  }

  /**
   * The drain phase of a requested stop, blocking for {@code shutdown.drainSeconds}: readiness answers 503
   * while everything is still served, so a load balancer takes the node out of rotation before
   * {@link #shutdown()} closes the listener.
   */
  public void drain() {
    drain.drainBlocking();
  }

  /**
   * Stops the node, blocking the calling thread (never call it on an event loop): the HTTP verticles
   * stop accepting and drain in-flight requests while the domains can still answer them, then the
   * domain verticles close their pools, then Vert.x (a clustered node leaves the cluster, so the others
   * drop it at once instead of waiting for its heartbeat to time out) and the embedded database stop.
   */
  public void shutdown() {
    try {
      Future.join(httpVerticles.stream().map(HttpVerticle::closeServer).toList())
          .transform(x -> vertx.undeploy(httpDeployment))
          .transform(x -> Future.join(vertx.deploymentIDs().stream().map(vertx::undeploy).toList()))
          .transform(x -> probes.close())
          .await(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("verticles did not stop cleanly: {}", e.toString());
    } finally {
      closeVertx(vertx, cluster);
      node.database().close();
    }
  }

  /**
   * Closes Vert.x, blocking (bounded: the close promise may be dispatched to an event loop that is
   * already gone). A clustered node leaves the cluster in that close; if it did not, Hazelcast is
   * stopped the hard way so a stuck leave cannot keep the process alive.
   */
  private static void closeVertx(Vertx vertx, HazelcastClusterManager cluster) {
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(cluster == null ? 5 : 30, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.debug("vert.x close not confirmed: {}", e.toString());
    }
    if (cluster == null || cluster.getHazelcastInstance() == null) return;
    var lifecycle = cluster.getHazelcastInstance().getLifecycleService();
    if (lifecycle.isRunning()) {
      LOG.warn("the cluster was not left in time; stopping Hazelcast without handing over");
      lifecycle.terminate();
    } else {
      LOG.info("left the cluster");
    }
  }

  /** True when this node runs clustered (CLUSTER_ENABLED). */
  public boolean clustered() {
    return cluster != null;
  }

  /** The cluster manager this node joined with, null when not clustered. */
  HazelcastClusterManager clusterManager() {
    return cluster;
  }

  public Vertx vertx() {
    return vertx;
  }

  public NodeContext node() {
    return node;
  }

  public int httpPort() {
    return node.config().httpPort();
  }

  /** The ADMIN token printed in dev mode, null when a JWT variable is configured. */
  public String devToken() {
    return devToken;
  }
}
