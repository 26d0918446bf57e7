package dev.systemtables.testing;

import dev.systemtables.Application;
import dev.systemtables.config.AppConfig;
import dev.systemtables.config.ConfigLoader;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.HashMap;
import java.time.Clock;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * A real node started in-process on a free port, against a database of its own, driven over
 * real HTTP. Settings are given as the environment variables of the operator contract.
 */
public final class TestApp implements HttpNode, AutoCloseable {

  /** The HS256 secret every test node uses unless told otherwise. */
  public static final String SECRET = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz";

  private final Application app;
  private final String databaseUrl;
  private final int port;

  private TestApp(Application app, String databaseUrl, int port) {
    this.app = app;
    this.databaseUrl = databaseUrl;
    this.port = port;
  }

  /** A node on a fresh database, without Redis. */
  public static TestApp start() {
    return start(Map.of());
  }

  /**
   * A node with these settings (environment-variable names). Unless given: a fresh database,
   * a free port, the test secret, no Redis.
   */
  public static TestApp start(Map<String, String> settings) {
    return start(settings, new JsonObject());
  }

  /**
   * Same, with a patch deep-merged into conf/config.yaml's tree, e.g.
   * {@code {"rateLimits": {"markReadPerMinute": 5}}}.
   */
  public static TestApp start(Map<String, String> settings, JsonObject yamlPatch) {
    return start(settings, yamlPatch, EnumSet.allOf(Application.Part.class));
  }

  /**
   * Same, running only these domains. The scheduler never runs slots by itself in a test node unless the
   * patch sets {@code jobs.schedulerEnabled: true}: a start-up catch-up run must not race a test's seeding.
   */
  public static TestApp start(Map<String, String> settings, JsonObject yamlPatch, Set<Application.Part> parts) {
    return start(settings, yamlPatch, parts, Clock.systemUTC());
  }

  /** Same, with the clock the node's scheduler reads. */
  public static TestApp start(Map<String, String> settings, JsonObject yamlPatch, Set<Application.Part> parts,
                              Clock clock) {
    Map<String, String> env = new HashMap<>(settings);
    env.putIfAbsent("DATABASE_URL", TestDatabases.freshDatabase());
    env.putIfAbsent("HTTP_PORT", String.valueOf(freePort()));
    if (!env.containsKey("JWT_PUBLIC_KEY")) env.putIfAbsent("JWT_SECRET", SECRET);
    env.values().removeIf(v -> v == null);
    JsonObject patch = new JsonObject().put("jobs", new JsonObject().put("schedulerEnabled", false))
        .mergeIn(yamlPatch, true);
    AppConfig config = baseConfig().withYaml(patch, env);
    Application app = Application.start(config, parts, clock).await();
    return new TestApp(app, env.get("DATABASE_URL"), config.httpPort());
  }

  /** conf/config.yaml as the service reads it, before any environment. */
  public static AppConfig baseConfig() {
    Vertx vertx = Vertx.vertx();
    try {
      return ConfigLoader.load(vertx, "conf/config.yaml").await().with(Map.of());
    } finally {
      vertx.close().await();
    }
  }

  public Application app() {
    return app;
  }

  public String databaseUrl() {
    return databaseUrl;
  }

  public int port() {
    return port;
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  /** A valid token (1 h) for this node's secret. */
  public String token(String sub, String role) {
    return token(new JsonObject().put("sub", sub).put("role", role));
  }

  /** A valid token (1 h) with exactly these claims plus {@code exp}. */
  public String token(JsonObject claims) {
    return app.node().tokens().provider().generateToken(claims, new JWTOptions().setExpiresInSeconds(3600));
  }

  @Override
  public void close() {
    app.shutdown();
  }

  public static int freePort() {
    // Below Linux's ephemeral range (32768–60999): a port handed out by bind(0) is free now, but the kernel
    // may hand it again to any outgoing connection (a database pool, an HTTP client) or to a node's event
    // bus before the node listens on it; a ClusterFlagsIT start failed on exactly that ("Address already in use").
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = 20_000 + PORTS.nextInt(12_000);
      try (ServerSocket s = new ServerSocket(port)) {
        return s.getLocalPort();
      } catch (IOException taken) {
        // try another
      }
    }
    throw new IllegalStateException("no free port between 20000 and 32000");
  }

  private static final java.util.Random PORTS = new java.security.SecureRandom();
}
