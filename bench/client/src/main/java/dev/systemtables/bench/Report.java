package dev.systemtables.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders the results file as one Markdown table, with the targets (issue 8 §3, raised by issue 12 §7)
 * computed as ratios to the ceiling measured in the same run, and a pass/MISS verdict for each.
 */
final class Report {

  static final double FLAG_VS_ME = 0.9;
  static final double FLAGS_VS_ME = 0.8;
  static final double UNREAD_VS_ME = 0.7;
  static final double LIST_VS_ME = 0.3;
  static final double IDEMPOTENT_VS_PLAIN = 0.5;
  static final double BROADCAST_MAX_MS = 3_000;
  static final double PUSH_P99_MS = 25;
  static final double EVALUATIONS_PER_S = 5_000_000;

  private static final List<String> ORDER = List.of("health", "me", "flag-one", "flags-all", "list", "unread",
      "upsert", "upsert-idem", "broadcast", "push", "jmh");

  private Report() {
  }

  static String render(Path results) throws IOException {
    Map<String, List<JsonObject>> rows = new LinkedHashMap<>();
    for (String line : Files.readAllLines(results, StandardCharsets.UTF_8)) {
      if (line.isBlank()) continue;
      JsonObject row = new JsonObject(line);
      rows.computeIfAbsent(row.getString("id"), k -> new ArrayList<>()).add(row);
    }
    JsonObject me = first(rows, "me");
    JsonObject plain = first(rows, "upsert");
    JsonObject counters = first(rows, "broadcast-counters");

    StringBuilder md = new StringBuilder();
    md.append("| scenario | conc. | requests/s | p50 ms | p99 ms | p99.9 ms | errors | CPU µs/req: service · PostgreSQL · Redis | target | measured | result |\n");
    md.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |\n");
    List<String> notes = new ArrayList<>();
    for (String id : ORDER) {
      for (JsonObject row : rows.getOrDefault(id, List.of())) {
        md.append(line(row, me, plain, counters)).append('\n');
        JsonArray samples = row.getJsonArray("errorSamples");
        if (samples != null && !samples.isEmpty()) {
          notes.add("`" + id + "` errors, e.g.: " + String.join(" · ", samples.stream().map(String::valueOf).toList()));
        }
      }
    }
    if (!notes.isEmpty()) {
      md.append('\n');
      notes.forEach(n -> md.append("- ").append(n.replace("|", "\\|")).append('\n'));
    }
    return md.toString();
  }

  private static String line(JsonObject row, JsonObject me, JsonObject plain, JsonObject counters) {
    String id = row.getString("id");
    String scenario = row.getString("scenario", id);
    String status = row.getString("status", "ok");
    if (!"ok".equals(status)) {
      return cells(scenario, "—", "—", "—", "—", "—", "—", "—", target(id), "—", status + ": " + row.getString("note", ""));
    }
    String conc = row.containsKey("concurrency") ? String.valueOf(row.getInteger("concurrency")) : "—";
    String rps = row.containsKey("rps") ? number(row.getDouble("rps")) + range(row.getJsonArray("roundRps")) : "—";
    String cpu = cpu(row.getJsonObject("cpu"));
    String errors = row.containsKey("errors") ? String.valueOf(row.getLong("errors")) : "—";
    String measured = "—";
    String result = "—";
    switch (id) {
      case "health" -> measured = me != null && me.containsKey("rps") ? ratio(row.getDouble("rps") / me.getDouble("rps")) + " × /me" : "—";
      case "me" -> measured = "ceiling for ratios";
      case "flag-one", "flags-all" -> {
        Double r = ratioTo(row, me);
        measured = r == null ? "no /me ceiling" : ratio(r) + " × /me";
        result = verdict(r != null && r >= (id.equals("flag-one") ? FLAG_VS_ME : FLAGS_VS_ME));
      }
      case "list" -> {
        Double r = ratioTo(row, me);
        measured = r == null ? "no /me ceiling" : ratio(r) + " × /me";
        result = verdict(r != null && r >= LIST_VS_ME);
      }
      case "unread" -> {
        Double r = ratioTo(row, me);
        measured = r == null ? "no /me ceiling" : ratio(r) + " × /me";
        result = verdict(r != null && r >= UNREAD_VS_ME);
      }
      case "upsert-idem" -> {
        Double r = ratioTo(row, plain);
        measured = r == null ? "no plain PUT" : ratio(r) + " × plain PUT";
        result = verdict(r != null && r >= IDEMPOTENT_VS_PLAIN);
      }
      case "broadcast" -> {
        JsonArray runs = row.getJsonArray("runsMs", new JsonArray());
        Double max = row.getDouble("max");
        measured = max == null ? "no successful run"
            : "slowest of " + runs.size() + ": " + String.format(Locale.ROOT, "%.2f s", max / 1000)
                + (runs.size() > 1 ? " (runs " + String.join(", ", runs.stream()
                    .map(v -> String.format(Locale.ROOT, "%.2f", ((Number) v).doubleValue() / 1000)).toList()) + " s)" : "");
        if (counters != null) {
          measured += "; Redis counters moved for " + counters.getInteger("moved") + "/" + counters.getInteger("checked") + " sampled users";
        }
        boolean countersOk = counters == null || counters.getInteger("moved").equals(counters.getInteger("checked"));
        result = verdict(max != null && max <= BROADCAST_MAX_MS && row.getLong("errors", 0L) == 0 && countersOk);
        return cells(scenario, "1", "—", ms(row.getDouble("p50")), "—", "—", errors, cpu, target(id), measured, result);
      }
      case "push" -> {
        long lost = row.getLong("lost", 0L);
        Double p99 = row.getDouble("p99");
        JsonObject rest = row.getJsonObject("rest");
        measured = "p99 " + (p99 == null ? "—" : ms(p99) + " ms")
            + (rest != null && rest.containsKey("p99") ? " (the REST create alone: p99 " + ms(rest.getDouble("p99")) + " ms)" : "")
            + ", lost " + lost
            + (row.getLong("duplicates", 0L) > 0 ? ", duplicates " + row.getLong("duplicates") : "")
            + ", " + row.getInteger("clients") + " sockets";
        result = verdict(p99 != null && p99 <= PUSH_P99_MS && lost == 0 && row.getLong("errors", 0L) == 0);
      }
      case "jmh" -> {
        double v = row.getDouble("evaluationsPerSecond");
        measured = number(v) + " evaluations/s";
        result = verdict(v >= EVALUATIONS_PER_S);
        return cells(scenario, "1 thread", "—", "—", "—", "—", "—", "—", target(id), measured, result);
      }
      default -> {
      }
    }
    return cells(scenario, conc, rps, ms(row.getDouble("p50")), ms(row.getDouble("p99")), ms(row.getDouble("p999")),
        errors, cpu, target(id), measured, result);
  }

  /** The spread of the interleaved rounds, e.g. " (21k–25k)". */
  private static String range(JsonArray rounds) {
    if (rounds == null || rounds.size() < 2) return "";
    double min = Double.MAX_VALUE;
    double max = 0;
    for (Object o : rounds) {
      double v = ((Number) o).doubleValue();
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    return " (" + compact(min) + "–" + compact(max) + ")";
  }

  private static String compact(double v) {
    return v >= 10_000 ? String.format(Locale.ROOT, "%.0fk", v / 1000)
        : v >= 1_000 ? String.format(Locale.ROOT, "%.1fk", v / 1000) : String.format(Locale.ROOT, "%.0f", v);
  }

  /** Service and PostgreSQL CPU microseconds per request (per broadcast: milliseconds). */
  private static String cpu(JsonObject cpu) {
    if (cpu == null || !cpu.containsKey("serverUsPerRequest")) return "—";
    double svc = cpu.getDouble("serverUsPerRequest");
    double pg = cpu.getDouble("postgresUsPerRequest");
    double redis = cpu.getDouble("redisUsPerRequest", 0.0);
    if (svc >= 100_000 || pg >= 100_000) {
      return String.format(Locale.ROOT, "%,.0f ms · %,.0f ms · %,.0f ms", svc / 1000, pg / 1000, redis / 1000);
    }
    return String.format(Locale.ROOT, "%,.0f · %,.0f · %,.0f", svc, pg, redis);
  }

  private static String target(String id) {
    return switch (id) {
      case "flag-one" -> "≥ 0.90 × /me";
      case "flags-all" -> "≥ 0.80 × /me";
      case "list" -> "≥ 0.30 × /me";
      case "unread" -> "≥ 0.70 × /me";
      case "upsert-idem" -> "≥ 0.50 × plain PUT";
      case "broadcast" -> "≤ 3 s, counters set";
      case "push" -> "p99 ≤ 25 ms, 0 lost";
      case "jmh" -> "≥ 5,000,000/s on one core";
      default -> "—";
    };
  }

  private static Double ratioTo(JsonObject row, JsonObject basis) {
    if (basis == null || !basis.containsKey("rps") || basis.getDouble("rps") <= 0 || !row.containsKey("rps")) return null;
    return row.getDouble("rps") / basis.getDouble("rps");
  }

  private static JsonObject first(Map<String, List<JsonObject>> rows, String id) {
    List<JsonObject> list = rows.get(id);
    return list == null || list.isEmpty() || !"ok".equals(list.get(0).getString("status", "ok")) ? null : list.get(0);
  }

  private static String verdict(boolean pass) {
    return pass ? "pass" : "**MISS**";
  }

  private static String cells(String... cells) {
    StringBuilder b = new StringBuilder("|");
    for (String c : cells) b.append(' ').append(c.replace("|", "\\|")).append(" |");
    return b.toString();
  }

  static String number(double v) {
    return String.format(Locale.ROOT, "%,.0f", v);
  }

  private static String ratio(double v) {
    // Truncated, so a ratio shown as 0.50 never belongs to a miss just under 0.5.
    return String.format(Locale.ROOT, "%.2f", Math.floor(v * 100) / 100);
  }

  private static String ms(Double v) {
    if (v == null) return "—";
    return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2f", v);
  }

  /** One line for the progress log. */
  static String summary(JsonObject row) {
    if (!"ok".equals(row.getString("status", "ok"))) return row.getString("id") + " " + row.getString("status") + ": " + row.getString("note");
    StringBuilder b = new StringBuilder(row.getString("id"));
    if (row.containsKey("rps")) b.append(" ").append(number(row.getDouble("rps"))).append(" req/s");
    if (row.containsKey("p50")) b.append(", p50 ").append(ms(row.getDouble("p50"))).append(" ms");
    if (row.containsKey("p99")) b.append(", p99 ").append(ms(row.getDouble("p99"))).append(" ms");
    if (row.containsKey("p999")) b.append(", p99.9 ").append(ms(row.getDouble("p999"))).append(" ms");
    if (row.containsKey("max")) b.append(", max ").append(ms(row.getDouble("max"))).append(" ms");
    if (row.containsKey("errors")) b.append(", errors ").append(row.getValue("errors"));
    if (row.containsKey("lost")) b.append(", lost ").append(row.getValue("lost"));
    JsonObject cpu = row.getJsonObject("cpu");
    if (cpu != null) {
      b.append(String.format(Locale.ROOT, "; cores busy: service %.2f, PostgreSQL %.2f, Redis %.2f, client %.2f",
          cpu.getDouble("serverCores"), cpu.getDouble("postgresCores"), cpu.getDouble("redisCores", 0.0),
          cpu.getDouble("clientCores")));
    }
    return b.toString();
  }
}
