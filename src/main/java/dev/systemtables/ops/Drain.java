package dev.systemtables.ops;

import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * The first phase of a requested stop (SIGTERM): for {@code shutdown.drainSeconds} the node keeps serving
 * everything, but readiness answers 503, so a load balancer that health-checks {@code /health/ready} takes
 * it out of rotation while it can still answer. Only then does the listener close. Without this phase a
 * balancer keeps routing new requests (and reusing idle keep-alive connections) to a node whose listener
 * is already gone, until its own checks notice: those requests fail.
 */
public final class Drain {

  private static final Logger LOG = LoggerFactory.getLogger(Drain.class);

  private final Duration delay;
  private volatile boolean draining;

  public Drain(Duration delay) {
    if (delay.isNegative()) throw new IllegalArgumentException("shutdown.drainSeconds must be >= 0, got " + delay.toSeconds());
    this.delay = delay;
  }

  /** From the {@code shutdown} section of the configuration ({@code drainSeconds}, default 5). */
  public static Drain from(JsonObject shutdownSection) {
    Object value = shutdownSection.getValue("drainSeconds", 5);
    if (!(value instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
      throw new IllegalArgumentException("shutdown.drainSeconds must be a whole number of seconds, got " + value);
    }
    return new Drain(Duration.ofSeconds(n.longValue()));
  }

  /** True from the start of the drain phase on: readiness is then DOWN whatever the checks say. */
  public boolean draining() {
    return draining;
  }

  public Duration delay() {
    return delay;
  }

  /**
   * Enters the drain phase and blocks the calling thread for the configured delay (never call it on an
   * event loop). Requests are served normally meanwhile.
   */
  public void drainBlocking() {
    draining = true;
    if (delay.isZero()) return;
    LOG.info("draining: /health/ready answers 503 for {} s (shutdown.drainSeconds) while requests are still served",
        delay.toSeconds());
    try {
      Thread.sleep(delay.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
