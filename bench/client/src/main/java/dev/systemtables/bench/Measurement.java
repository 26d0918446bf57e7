package dev.systemtables.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;

import java.util.List;

/** What a scenario measured: latencies in microseconds, good and failed requests, over some seconds. */
record Measurement(Histogram histogram, long ok, long errors, double seconds, List<String> errorSamples) {

  /** Up to one hour in microseconds, three significant digits. */
  static Histogram newHistogram() {
    return new Histogram(3_600_000_000L, 3);
  }

  /** The scenario's result row: requests/s counts good answers only; errors are reported beside them. */
  JsonObject row(String id, String scenario, int concurrency) {
    JsonObject row = new JsonObject().put("id", id).put("scenario", scenario).put("status", "ok")
        .put("concurrency", concurrency)
        .put("requests", ok).put("errors", errors).put("seconds", seconds)
        .put("rps", ok / seconds);
    putLatencies(row, histogram);
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
}
