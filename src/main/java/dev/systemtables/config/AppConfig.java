package dev.systemtables.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The whole configuration of a node, read once at start-up from {@code conf/config.yaml}
 * overridden by the environment variables of the operator contract, then passed in.
 *
 * <p>{@link #raw()} keeps the merged tree so a domain can read its own section
 * ({@code jobs}, {@code rateLimits}, ...) without this class knowing every key.
 */
public record AppConfig(
    int httpPort,
    long bodyLimitBytes,
    List<String> allowedOrigins,
    String databaseUrl,
    String dataDir,
    Map<String, Integer> poolSizes,
    int dbConnectTimeoutMillis,
    String redisUrl,
    long redisCommandTimeoutMillis,
    String jwtSecret,
    String jwtPublicKey,
    int devTokenHours,
    boolean clusterEnabled,
    String clusterHost,
    int clusterPort,
    String clusterMembers,
    int flagAnswerCacheEntries,
    int cachedInboxPages,
    JsonObject raw) {

  /** Environment variables the operator contract names; nothing else is read from the environment. */
  public static final List<String> ENV_KEYS = List.of(
      "HTTP_PORT", "DATABASE_URL", "DATA_DIR", "REDIS_URL", "JWT_SECRET", "JWT_PUBLIC_KEY",
      "CLUSTER_ENABLED", "CLUSTER_HOST", "CLUSTER_PORT", "CLUSTER_MEMBERS", "ALLOWED_ORIGINS");

  /**
   * Builds the typed config from the YAML tree and the environment map (either may lack keys).
   * Environment values win; an empty string counts as absent.
   */
  public static AppConfig from(JsonObject yaml, Map<String, String> env) {
    JsonObject http = section(yaml, "http");
    JsonObject db = section(yaml, "database");
    JsonObject redis = section(yaml, "redis");
    JsonObject jwt = section(yaml, "jwt");
    JsonObject cluster = section(yaml, "cluster");

    List<String> origins = new ArrayList<>();
    String envOrigins = blankToNull(env.get("ALLOWED_ORIGINS"));
    if (envOrigins != null) {
      for (String o : envOrigins.split(",")) {
        if (!o.isBlank()) origins.add(o.trim());
      }
    } else {
      JsonArray arr = http.getJsonArray("allowedOrigins", new JsonArray());
      arr.forEach(o -> origins.add(String.valueOf(o)));
    }

    return new AppConfig(
        intOf(env.get("HTTP_PORT"), http.getInteger("port", 8080), "HTTP_PORT"),
        http.getLong("bodyLimitBytes", 1_048_576L),
        List.copyOf(origins),
        firstNonBlank(env.get("DATABASE_URL"), db.getString("url")),
        firstNonBlank(env.get("DATA_DIR"), db.getString("dataDir"), "./data"),
        poolSizes(db),
        db.getInteger("connectTimeoutMillis", 1000),
        firstNonBlank(env.get("REDIS_URL"), redis.getString("url")),
        redis.getLong("commandTimeoutMillis", 500L),
        firstNonBlank(env.get("JWT_SECRET"), jwt.getString("secret")),
        firstNonBlank(env.get("JWT_PUBLIC_KEY"), jwt.getString("publicKey")),
        jwt.getInteger("devTokenHours", 24),
        Boolean.parseBoolean(firstNonBlank(env.get("CLUSTER_ENABLED"),
            String.valueOf(cluster.getValue("enabled", false)))),
        firstNonBlank(env.get("CLUSTER_HOST"), cluster.getString("host"), "127.0.0.1"),
        intOf(env.get("CLUSTER_PORT"), cluster.getInteger("port", 5701), "CLUSTER_PORT"),
        firstNonBlank(env.get("CLUSTER_MEMBERS"), cluster.getString("members")),
        nonNegative(section(yaml, "flags").getValue("answerCacheEntries"), DEFAULT_FLAG_ANSWER_CACHE_ENTRIES,
            "flags.answerCacheEntries"),
        nonNegative(section(yaml, "notifications").getValue("cachedPages"), DEFAULT_CACHED_INBOX_PAGES,
            "notifications.cachedPages"),
        yaml.copy());
  }

  /**
   * Callers whose {@code GET /flags/enabled} answer a node keeps per flag snapshot when {@code flags.answerCacheEntries}
   * does not say (README "Configuration").
   */
  public static final int DEFAULT_FLAG_ANSWER_CACHE_ENTRIES = 10_000;

  /**
   * Inbox pages a node keeps in memory when {@code notifications.cachedPages} does not say; a page of 20
   * notifications holds about 10 KiB, so about 40 MiB at this bound.
   */
  public static final int DEFAULT_CACHED_INBOX_PAGES = 4_096;

  /** Connections of each pool when {@code database.pools} does not say. */
  public static final Map<String, Integer> DEFAULT_POOL_SIZES = Map.of(
      "idempotency", 8, "notifications", 4, "users", 4, "flags", 2, "flagSnapshots", 1, "jobs", 2, "health", 1);

  /** The size of a named pool ({@code database.pools.<name>}). */
  public int poolSize(String name) {
    Integer size = poolSizes.get(name);
    if (size == null) throw new IllegalArgumentException("no pool named " + name + " (database.pools)");
    return size;
  }

  private static Map<String, Integer> poolSizes(JsonObject db) {
    Map<String, Integer> sizes = new java.util.HashMap<>(DEFAULT_POOL_SIZES);
    JsonObject pools = section(db, "pools");
    for (String name : pools.fieldNames()) {
      Object v = pools.getValue(name);
      if (!(v instanceof Integer n) || n < 1) {
        throw new IllegalArgumentException("database.pools." + name + " must be a positive integer, got '" + v + "'");
      }
      sizes.put(name, n);
    }
    return Map.copyOf(sizes);
  }

  private static int nonNegative(Object v, int fallback, String name) {
    if (v == null) return fallback;
    if (!(v instanceof Integer n) || n < 0) {
      throw new IllegalArgumentException(name + " must be an integer >= 0, got '" + v + "'");
    }
    return n;
  }

  /** A named section of the raw tree, empty when absent. */
  public JsonObject section(String name) {
    return section(raw, name);
  }

  /** Same config with other values; tests use it to point a node at their own database and port. */
  public AppConfig with(Map<String, String> overrides) {
    return from(raw, overrides);
  }

  /** Same environment, with a patch deep-merged into the YAML tree (tests tune limits and schedules this way). */
  public AppConfig withYaml(JsonObject patch, Map<String, String> env) {
    return from(raw.copy().mergeIn(patch, true), env);
  }

  public boolean redisEnabled() {
    return redisUrl != null;
  }

  public boolean embeddedDatabase() {
    return databaseUrl == null;
  }

  private static JsonObject section(JsonObject tree, String name) {
    Object v = tree == null ? null : tree.getValue(name);
    return v instanceof JsonObject o ? o : new JsonObject();
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  private static String firstNonBlank(String... values) {
    for (String v : values) {
      if (v != null && !v.isBlank()) return v.trim();
    }
    return null;
  }

  private static int intOf(String env, int fallback, String name) {
    if (env == null || env.isBlank()) return fallback;
    try {
      return Integer.parseInt(env.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be an integer, got '" + env + "'");
    }
  }
}
