package dev.systemtables.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Runs the scenarios of issue 8 against a running node, one after the other, and appends one JSON
 * result row per scenario to the results file as soon as it is measured (a crash keeps what was done).
 * Scenarios whose endpoints answer 404 (their domain not merged yet) get a "not available" row.
 */
final class Suite {

  static final int REQUEST_TIMEOUT_MS = 30_000;
  static final int BROADCAST_TIMEOUT_MS = 300_000;

  private final Vertx vertx;
  private final Settings s;
  private final Path out;
  private final WebClient client;
  private final Population pop;
  private final SplittableRandom random = new SplittableRandom(8);
  private final CpuMeter cpu;
  /** Unique across every round of the run: a reused key would be a replay (or a 422), not a new request. */
  private long idempotencyKeys;

  Suite(Vertx vertx, Settings s, Path out) {
    this.vertx = vertx;
    this.s = s;
    this.out = out;
    this.client = client(vertx, s);
    this.pop = new Population(vertx, s);
    this.cpu = new CpuMeter(s.serverPid(), s.redisPid(), s.database(), s.host(), s.clockTicks());
  }

  static WebClient client(Vertx vertx, Settings s) {
    return WebClient.create(vertx,
        new WebClientOptions().setDefaultHost(s.host()).setDefaultPort(s.port())
            .setKeepAlive(true).setTcpNoDelay(true).setUserAgentEnabled(false),
        new PoolOptions().setHttp1MaxSize(Math.max(64, s.concurrency() * 2)));
  }

  // ---- availability ----

  /** Which optional domains this build serves: an endpoint that answers 404 is not there yet. */
  static JsonObject probe(WebClient client, String userToken) {
    return new JsonObject()
        .put("flags", status(client.get("/api/v1/flags/probe-flag/enabled").bearerTokenAuthentication(userToken)) == 200)
        .put("notifications", status(client.get("/api/v1/notifications/unread-count").bearerTokenAuthentication(userToken)) == 200)
        .put("push", status(client.get("/eventbus/info")) == 200);
  }

  private static int status(HttpRequest<Buffer> req) {
    return req.timeout(REQUEST_TIMEOUT_MS).send().await().statusCode();
  }

  JsonObject probe() {
    return probe(client, pop.userToken(1));
  }

  // ---- the suite ----

  void run() throws Exception {
    if (s.users() > s.roleUsers() || s.inboxUsers() > s.users()) {
      throw new IllegalArgumentException("need inbox-users <= users <= role-users");
    }
    JsonObject available = probe();
    log("available: " + available.encode());
    List<String> users = timed("minting " + s.users() + " user tokens", () -> pop.userTokens(s.users()));
    List<String> admins = pop.adminTokens(16, 1);

    // Every caller once, so the node's directory cache is warm as in steady state (a first sight writes a row).
    timed("priming " + s.users() + " callers", () -> prime(users));

    List<Load> reads = new ArrayList<>();
    if (s.wants("health")) {
      reads.add(new Load("health", "ceiling: GET /health/live (no auth)", seq -> get("/health/live", null).send()));
    }
    if (s.wants("me")) {
      reads.add(new Load("me", "ceiling: GET /api/v1/me (JWT, no domain work)",
          seq -> get("/api/v1/me", pick(users)).send()));
    }

    boolean flagsReady = available.getBoolean("flags") && (s.wants("flag-one") || s.wants("flags-all"))
        && createFlags(admins.get(0));
    String flagsWhy = available.getBoolean("flags") ? "flag creation failed (see log)" : "GET /api/v1/flags/{name}/enabled answered 404";
    if (s.wants("flag-one")) {
      if (flagsReady) {
        reads.add(new Load("flag-one", "GET /api/v1/flags/{name}/enabled (" + s.flags() + " flags with conditions)",
            seq -> get("/api/v1/flags/" + Population.flagName(random.nextInt(s.flags())) + "/enabled", pick(users)).send()));
      } else {
        write(unavailable("flag-one", "GET /api/v1/flags/{name}/enabled", flagsWhy));
      }
    }
    if (s.wants("flags-all")) {
      if (flagsReady) {
        reads.add(new Load("flags-all", "GET /api/v1/flags/enabled (all " + s.flags() + " flags)",
            seq -> get("/api/v1/flags/enabled", pick(users)).send()));
      } else {
        write(unavailable("flags-all", "GET /api/v1/flags/enabled", flagsWhy));
      }
    }

    boolean inbox = available.getBoolean("notifications");
    String inboxWhy = "GET /api/v1/notifications/unread-count answered 404";
    List<String> inboxUsers = users.subList(0, s.inboxUsers());
    String inboxShape = String.format(Locale.ROOT, "%,d users × %,d, table of %,d+ rows",
        s.inboxUsers(), s.perInbox(), (long) s.inboxUsers() * s.perInbox());
    if (s.wants("list")) {
      if (inbox) {
        reads.add(new Load("list", "GET /api/v1/notifications page 1 of 20 (" + inboxShape + ")",
            seq -> get("/api/v1/notifications?page=1&pageSize=20", pick(inboxUsers)).send()));
      } else {
        write(unavailable("list", "GET /api/v1/notifications", inboxWhy));
      }
    }
    if (s.wants("unread")) {
      if (inbox) {
        reads.add(new Load("unread", "GET /api/v1/notifications/unread-count (" + inboxShape + ")",
            seq -> get("/api/v1/notifications/unread-count", pick(inboxUsers)).send()));
      } else {
        write(unavailable("unread", "GET /api/v1/notifications/unread-count", inboxWhy));
      }
    }
    interleaved(reads);

    List<Load> writes = new ArrayList<>();
    if (s.wants("upsert")) {
      writes.add(new Load("upsert", "PUT /api/v1/users/{id} (ADMIN upsert, no Idempotency-Key)", seq -> upsert(admins, null)));
    }
    if (s.wants("upsert-idem")) {
      writes.add(new Load("upsert-idem", "PUT /api/v1/users/{id} with a fresh Idempotency-Key each",
          seq -> upsert(admins, s.run() + "-" + (++idempotencyKeys))));
    }
    interleaved(writes);

    if (s.wants("broadcast")) {
      write(inbox ? broadcast() : unavailable("broadcast", "role broadcast", "POST /api/v1/notifications not served (unread-count answered 404)"));
    }
    if (s.wants("push")) {
      write(inbox && available.getBoolean("push")
          ? new PushScenario(vertx, s, client, pop, cpu).run()
          : unavailable("push", "push over /eventbus/websocket",
              inbox ? "GET /eventbus/info answered 404 (no event-bus bridge)" : "notifications not served (404)"));
    }
  }

  private Future<HttpResponse<Buffer>> upsert(List<String> admins, String idempotencyKey) {
    int n = 1 + random.nextInt(s.roleUsers());
    HttpRequest<Buffer> req = client.put("/api/v1/users/" + s.userId(n)).bearerTokenAuthentication(pick(admins))
        .timeout(REQUEST_TIMEOUT_MS);
    if (idempotencyKey != null) req.putHeader("Idempotency-Key", idempotencyKey);
    return req.sendJsonObject(Population.upsertBody(n));
  }

  private HttpRequest<Buffer> get(String uri, String token) {
    HttpRequest<Buffer> req = client.get(uri).timeout(REQUEST_TIMEOUT_MS);
    return token == null ? req : req.bearerTokenAuthentication(token);
  }

  private String pick(List<String> tokens) {
    return tokens.get(random.nextInt(tokens.size()));
  }

  /** A closed-loop scenario: every request expects 200. */
  record Load(String id, String scenario, ClosedLoop.Sender sender) {
  }

  /**
   * Measures a group of closed-loop scenarios: each gets its fixed warm-up, then the group is measured
   * in {@code rounds} interleaved rounds (each preceded by a one-second re-warm-up), and each scenario's
   * rounds are added up into one row.
   */
  private void interleaved(List<Load> loads) throws Exception {
    if (loads.isEmpty()) return;
    int perRound = Math.max(1, s.seconds() / s.rounds());
    for (Load l : loads) {
      log("warming up " + l.id() + ": " + l.scenario() + " — concurrency " + s.concurrency() + ", warm-up "
          + s.warmupSeconds() + " s, measured " + s.rounds() + " × " + perRound + " s");
      await(ClosedLoop.run(vertx, s.concurrency(), s.warmupSeconds(), 0, 200, l.sender()), s.warmupSeconds());
    }
    Map<String, Measurement> total = new LinkedHashMap<>();
    for (int r = 1; r <= s.rounds(); r++) {
      for (Load l : loads) {
        await(ClosedLoop.run(vertx, s.concurrency(), 1, 0, 200, l.sender()), 1);
        CpuMeter.Mark mark = cpu.start();
        Measurement m = await(ClosedLoop.run(vertx, s.concurrency(), 0, perRound, 200, l.sender()), perRound);
        m.cpu = cpu.since(mark);
        total.computeIfAbsent(l.id(), k -> new Measurement()).add(m);
        log(String.format(Locale.ROOT, "  round %d/%d %-11s %,10.0f req/s", r, s.rounds(), l.id(), m.ok / m.seconds));
      }
    }
    for (Load l : loads) write(total.get(l.id()).row(l.id(), l.scenario(), s.concurrency()));
  }

  private static Measurement await(Future<Measurement> f, int seconds) throws Exception {
    return f.await(seconds + 120L, TimeUnit.SECONDS);
  }

  static JsonObject unavailable(String id, String scenario, String why) {
    return new JsonObject().put("id", id).put("scenario", scenario).put("status", "not available").put("note", why);
  }

  private Measurement prime(List<String> tokens) throws Exception {
    Measurement m = ClosedLoop.count(vertx, s.concurrency(), tokens.size(), 200,
        seq -> client.get("/api/v1/me").bearerTokenAuthentication(tokens.get((int) seq)).timeout(REQUEST_TIMEOUT_MS).send())
        .await(10, TimeUnit.MINUTES);
    if (m.errors > 0) throw new IllegalStateException("priming: " + m.errors + " callers failed, e.g. " + m.errorSamples);
    return m;
  }

  // ---- flags ----

  private boolean createFlags(String admin) {
    return timed("creating " + s.flags() + " flags", () -> {
      for (int i = 0; i < s.flags(); i++) {
        HttpResponse<Buffer> r = client.post("/api/v1/flags").bearerTokenAuthentication(admin)
            .timeout(REQUEST_TIMEOUT_MS).sendJsonObject(pop.flag(i)).await();
        if (r.statusCode() != 201) {
          log("POST /api/v1/flags answered " + r.statusCode() + ": " + ClosedLoop.abbreviate(r.bodyAsString()));
          return false;
        }
      }
      // The contract lets a change take up to 1 s to reach evaluations; this node applies its own at once,
      // but give the snapshot a moment either way before measuring.
      sleep(1_500);
      return true;
    });
  }

  // ---- role broadcast ----

  private JsonObject broadcast() {
    String scenario = "role broadcast to " + s.roleUsers() + " CREATOR users (POST /api/v1/notifications until 201)";
    List<String> admins = pop.adminTokens(s.broadcastRuns(), 100);
    List<Double> runs = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    CpuMeter.Usage usage = CpuMeter.Usage.NONE;
    for (int r = 0; r < s.broadcastRuns(); r++) {
      log("broadcast " + (r + 1) + "/" + s.broadcastRuns() + " to " + s.roleUsers() + " users");
      JsonObject body = new JsonObject().put("userRole", "CREATOR").put("type", "SYSTEM")
          .put("title", "bench broadcast " + (r + 1)).put("message", "a message for every creator");
      CpuMeter.Mark mark = cpu.start();
      long t0 = System.nanoTime();
      HttpResponse<Buffer> resp = client.post("/api/v1/notifications").bearerTokenAuthentication(admins.get(r))
          .timeout(BROADCAST_TIMEOUT_MS).sendJsonObject(body).await();
      double ms = (System.nanoTime() - t0) / 1e6;
      usage = usage.plus(cpu.since(mark));
      Integer created = resp.statusCode() == 201 ? resp.bodyAsJsonObject().getJsonObject("data").getInteger("created") : null;
      if (created == null || created != s.roleUsers()) {
        errors.add(resp.statusCode() + " created=" + created + " " + ClosedLoop.abbreviate(resp.bodyAsString()));
      } else {
        runs.add(ms);
      }
      log(String.format("  %d in %.0f ms", resp.statusCode(), ms));
      sleep(2_000);
    }
    List<Double> sorted = new ArrayList<>(runs);
    Collections.sort(sorted);
    JsonObject row = new JsonObject().put("id", "broadcast").put("scenario", scenario).put("status", "ok")
        .put("runsMs", new JsonArray(List.copyOf(runs))).put("errors", errors.size()).put("recipients", s.roleUsers());
    if (!errors.isEmpty()) row.put("errorSamples", new JsonArray(errors));
    Measurement.putCpu(row, usage, s.broadcastRuns());
    if (!sorted.isEmpty()) row.put("p50", sorted.get(sorted.size() / 2)).put("max", sorted.get(sorted.size() - 1));
    // bench/run checks these users' Redis counters after the suite (their generation must have moved).
    row.put("counterSample", new JsonArray(List.of(s.userId(1), s.userId(s.inboxUsers()),
        s.userId(s.inboxUsers() + 1), s.userId(s.roleUsers() / 2), s.userId(s.roleUsers()))));
    return row;
  }

  // ---- plumbing ----

  private void write(JsonObject row) {
    log("  → " + Report.summary(row));
    try {
      Files.writeString(out, row.encode() + "\n", StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  interface Step<T> {
    T get() throws Exception;
  }

  static <T> T timed(String what, Step<T> step) {
    long t0 = System.nanoTime();
    log(what + " …");
    try {
      T result = step.get();
      log(String.format("%s: %.1f s", what, (System.nanoTime() - t0) / 1e9));
      return result;
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static void timed(String what, Runnable step) {
    timed(what, () -> {
      step.run();
      return null;
    });
  }

  /**
   * Polls {@code count} (read on the scenario's context) until it reaches {@code expected} or {@code maxMs}
   * passes; what it reached.
   */
  static long awaitCount(String what, java.util.function.Supplier<Long> count, long expected, long maxMs) {
    long t0 = System.nanoTime();
    long deadline = System.currentTimeMillis() + maxMs;
    long reached = count.get();
    while (reached < expected && System.currentTimeMillis() < deadline) {
      sleep(20);
      reached = count.get();
    }
    log(String.format("%s: %d of %d in %.1f s", what, reached, expected, (System.nanoTime() - t0) / 1e9));
    return reached;
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static void log(String line) {
    System.out.println("[bench] " + line);
  }
}
