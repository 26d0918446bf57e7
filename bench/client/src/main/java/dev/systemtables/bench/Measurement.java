package dev.systemtables.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.List;

/**
 * What a scenario measured, accumulated over one or more rounds: latencies in microseconds, good and
 * failed requests, measured seconds, and CPU seconds per process group.
 */
final class Measurement {

  final Histogram histogram = newHistogram();
  long ok;
  long errors;
  double seconds;
  CpuMeter.Usage cpu = CpuMeter.Usage.NONE;
  final List<Double> roundRps = new ArrayList<>();
  final List<String> errorSamples = new ArrayList<>();

  /** Up to one hour in microseconds, three significant digits. */
  static Histogram newHistogram() {
    return new Histogram(3_600_000_000L, 3);
  }

  void add(Measurement round) {
    histogram.add(round.histogram);
    ok += round.ok;
    errors += round.errors;
    seconds += round.seconds;
    cpu = cpu.plus(round.cpu);
    roundRps.add(round.ok / round.seconds);
    for (String e : round.errorSamples) if (errorSamples.size() < 3) errorSamples.add(e);
  }

  /** The scenario's result row: requests/s counts good answers only; errors are reported beside them. */
  JsonObject row(String id, String scenario, int concurrency) {
    JsonObject row = new JsonObject().put("id", id).put("scenario", scenario).put("status", "ok")
        .put("concurrency", concurrency)
        .put("requests", ok).put("errors", errors).put("seconds", seconds)
        .put("rps", ok / seconds);
    if (roundRps.size() > 1) row.put("roundRps", new JsonArray(List.copyOf(roundRps)));
    putLatencies(row, histogram);
    putCpu(row, cpu, ok);
    if (!errorSamples.isEmpty()) row.put("errorSamples", new JsonArray(List.copyOf(errorSamples)));
    return row;
  }

  static void putLatencies(JsonObject row, Histogram h) {
    if (h.getTotalCount() == 0) return;
    row.put("p50", h.getValueAtPercentile(50) / 1000.0)
        .put("p99", h.getValueAtPercentile(99) / 1000.0)
        .put("p999", h.getValueAtPercentile(99.9) / 1000.0)
        .put("max", h.getMaxValue() / 1000.0);
  }

  /** Average cores busy per process group, and CPU microseconds per good request. */
  static void putCpu(JsonObject row, CpuMeter.Usage cpu, long requests) {
    if (cpu.wall() <= 0) return;
    JsonObject c = new JsonObject()
        .put("serverCores", cpu.server() / cpu.wall())
        .put("postgresCores", cpu.postgres() / cpu.wall())
        .put("redisCores", cpu.redis() / cpu.wall())
        .put("clientCores", cpu.client() / cpu.wall());
    if (requests > 0) {
      c.put("serverUsPerRequest", cpu.server() * 1e6 / requests)
          .put("postgresUsPerRequest", cpu.postgres() * 1e6 / requests)
          .put("redisUsPerRequest", cpu.redis() * 1e6 / requests);
    }
    row.put("cpu", c);
  }
}
