package dev.systemtables;

import dev.systemtables.auth.TokenVerifier;
import dev.systemtables.common.RateLimiter;
import dev.systemtables.config.AppConfig;
import dev.systemtables.db.Database;
import dev.systemtables.http.HttpVerticle;
import dev.systemtables.notifications.NotificationVerticle;
import dev.systemtables.ops.Probes;
import dev.systemtables.users.CallerRecorder;
import dev.systemtables.users.UsersVerticle;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.UUID;

/**
 * One running node: its Vert.x instance, its database, and its verticles. {@link Main} starts one
 * from the environment; tests start several in one JVM with their own configs.
 */
public final class Application {

  private static final Logger LOG = LoggerFactory.getLogger(Application.class);

  private final Vertx vertx;
  private final NodeContext node;
  private final Probes probes;
  private final String devToken;

  private Application(Vertx vertx, NodeContext node, Probes probes, String devToken) {
    this.vertx = vertx;
    this.node = node;
    this.probes = probes;
    this.devToken = devToken;
  }

  /** Starts a node: database and migrations first, then the domain verticles, then HTTP. */
  public static Future<Application> start(AppConfig config) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    VertxOptions options = new VertxOptions()
        .setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(true));
    return Clustering.vertx(config, options, new MicrometerMetricsFactory(registry)).compose(vertx ->
        vertx.executeBlocking(() -> Database.open(config))
            .compose(db -> boot(vertx, config, db, registry))
            .recover(t -> vertx.close().transform(x -> Future.failedFuture(t))));
  }

  private static Future<Application> boot(Vertx vertx, AppConfig config, Database db, PrometheusMeterRegistry registry) {
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
    NodeContext node = new NodeContext(config, db, redis, tokens,
        new CallerRecorder(vertx, 500_000),
        new RateLimiter(redis, config.redisCommandTimeoutMillis()),
        registry, UUID.randomUUID().toString());
    Probes probes = new Probes(db.pool(vertx, "health", 1), redis);
    int loops = VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE;
    String token = devToken;
    return vertx.deployVerticle(new UsersVerticle(node))
        .compose(x -> vertx.deployVerticle(new NotificationVerticle(node)))
        .compose(x -> vertx.deployVerticle(() -> new HttpVerticle(node, probes), new DeploymentOptions().setInstances(loops)))
        .map(x -> {
          LOG.info("system-tables listening on port {} (redis: {}, cluster: {})", config.httpPort(),
              redis != null ? "enabled" : "disabled", config.clusterEnabled());
          return new Application(vertx, node, probes, token);
        });
  }

  /** Stops accepting, lets in-flight requests finish, closes pools and the embedded database. */
  public Future<Void> stop() {
    return vertx.close().andThen(x -> node.database().close());
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
