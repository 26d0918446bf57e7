package dev.systemtables.testing;

import org.junit.jupiter.api.Assumptions;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;

/**
 * The Redis the integration tests talk to: {@code TEST_REDIS_URL} when set (CI), else a
 * Testcontainers container when a Docker engine answers, else none, and the tests that need
 * it are skipped with a message saying why.
 */
public final class TestRedis {

  private static String url;
  private static boolean resolved;

  private TestRedis() {
  }

  /** The Redis URL, or null when none can be had. */
  public static synchronized String url() {
    if (resolved) return url;
    resolved = true;
    String env = System.getenv("TEST_REDIS_URL");
    if (env != null && !env.isBlank()) {
      url = env.trim();
    } else if (dockerAvailable()) {
      GenericContainer<?> redis = new GenericContainer<>("redis:7-alpine").withExposedPorts(6379);
      redis.start();
      url = "redis://" + redis.getHost() + ":" + redis.getMappedPort(6379);
    }
    System.out.println("[tests] Redis: " + (url == null ? "none" : url));
    return url;
  }

  /** Skips the calling test when there is no Redis. */
  public static String require() {
    String u = url();
    Assumptions.assumeTrue(u != null,
        "skipped: needs Redis; set TEST_REDIS_URL (CI does) or make a Docker engine available");
    return u;
  }

  private static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (Throwable t) {
      return false;
    }
  }
}
