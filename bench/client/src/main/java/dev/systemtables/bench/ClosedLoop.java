package dev.systemtables.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;

import java.util.function.LongFunction;

/**
 * Closed-loop load at fixed concurrency: each of {@code concurrency} workers sends a request, waits
 * for its answer, and sends the next, for a fixed warm-up (not recorded) and a fixed measurement.
 * Every callback runs on one Vert.x context, so the histogram and counters need no locking.
 *
 * <p>Only requests both started and answered inside the measurement window are counted. Latency is
 * service time per request (closed loop: a slow answer delays the worker's next request rather than
 * queueing it, so the tail is what one caller sees, not coordinated-omission-corrected).
 */
final class ClosedLoop {

  /** Sends request number {@code seq}. */
  interface Sender extends LongFunction<Future<HttpResponse<Buffer>>> {
  }

  private ClosedLoop() {
  }

  static Future<Measurement> run(Vertx vertx, int concurrency, int warmupSeconds, int seconds,
                                 int expectedStatus, Sender sender) {
    return start(vertx, new Run(concurrency, warmupSeconds, seconds, Long.MAX_VALUE, expectedStatus, sender));
  }

  /** Exactly {@code total} requests, all recorded, as fast as the concurrency allows (for priming). */
  static Future<Measurement> count(Vertx vertx, int concurrency, long total, int expectedStatus, Sender sender) {
    return start(vertx, new Run(concurrency, 0, 24 * 3600, total, expectedStatus, sender));
  }

  private static Future<Measurement> start(Vertx vertx, Run run) {
    Context ctx = vertx.getOrCreateContext();
    ctx.runOnContext(v -> run.start());
    return run.done.future();
  }

  private static final class Run {
    final int concurrency;
    final int expected;
    final Sender sender;
    final long total;
    final Promise<Measurement> done = Promise.promise();
    final Measurement m = new Measurement();
    final long measureStart;
    final long measureEnd;
    long seq;
    int active;

    Run(int concurrency, int warmupSeconds, int seconds, long total, int expected, Sender sender) {
      this.concurrency = concurrency;
      this.total = total;
      this.expected = expected;
      this.sender = sender;
      long now = System.nanoTime();
      this.measureStart = now + warmupSeconds * 1_000_000_000L;
      this.measureEnd = measureStart + seconds * 1_000_000_000L;
    }

    void start() {
      active = concurrency;
      for (int i = 0; i < concurrency; i++) next();
    }

    void next() {
      if (seq >= total) {
        finish(System.nanoTime());
        return;
      }
      long t0 = System.nanoTime();
      Future<HttpResponse<Buffer>> f;
      try {
        f = sender.apply(seq++);
      } catch (RuntimeException e) {
        f = Future.failedFuture(e);
      }
      f.onComplete(ar -> {
        long t1 = System.nanoTime();
        boolean good = ar.succeeded() && ar.result().statusCode() == expected;
        if (t0 >= measureStart && t1 <= measureEnd) {
          if (good) {
            m.ok++;
            m.histogram.recordValue(Math.min((t1 - t0) / 1_000, m.histogram.getHighestTrackableValue()));
          } else {
            m.errors++;
          }
        }
        if (!good && m.errorSamples.size() < 3) {
          m.errorSamples.add(ar.succeeded()
              ? ar.result().statusCode() + " " + abbreviate(ar.result().bodyAsString())
              : ar.cause().toString());
        }
        if (t1 < measureEnd) {
          next();
        } else {
          finish(t1);
        }
      });
    }

    void finish(long now) {
      if (--active == 0) {
        m.seconds = Math.max(0, Math.min(now, measureEnd) - measureStart) / 1e9;
        done.complete(m);
      }
    }
  }

  static String abbreviate(String s) {
    if (s == null) return "";
    return s.length() <= 160 ? s : s.substring(0, 160) + "…";
  }
}
