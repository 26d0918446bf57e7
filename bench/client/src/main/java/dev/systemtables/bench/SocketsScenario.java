package dev.systemtables.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Many registered bridge sockets on one node ({@code bench/sockets}): {@code sockets} WebSockets on
 * {@code /eventbus/websocket}, socket {@code n} registered on user {@code n}'s address with that user's
 * token and on {@code flags.changed}, each pinging every 5 s on its own phase as browsers do. Connected in
 * steps from several loopback source addresses (127.0.0.2, .3, …), with the node's RSS and live heap
 * (after a full GC, read with {@code jcmd}) after each step. Then, with all sockets held:
 * <ul>
 *   <li>single-user pushes at {@code pushRate}/s, latency from just before the REST create to the frame;</li>
 *   <li>broadcasts to every socket's user ({@code userIds} of all of them), latency to each socket's frame;</li>
 *   <li>{@code PATCH} of a flag, latency to each socket's {@code flags.changed} frame.</li>
 * </ul>
 * Everything runs on one Vert.x context, so the bookkeeping needs no locks.
 */
final class SocketsScenario {

  private static final long PING_EVERY_MS = 5_000;
  private static final int PING_SLICES = 100;
  private static final int CONNECTS_IN_FLIGHT = 100;
  private static final int CREATES_PER_ADMIN = 400;
  private static final int PER_SOURCE_ADDRESS = 2_500;

  private final Vertx vertx;
  private final Settings s;
  private final WebClient client;
  private final Population pop;
  private final int total;
  private final int steps;
  private final int broadcasts;
  private final int flagChanges;
  private final Path out;

  private Context ctx;
  private final List<WebSocket> sockets = new ArrayList<>();
  private final List<WebSocketClient> wsClients = new ArrayList<>();
  private long refusals;
  private long socketErrors;
  private long closedByServer;
  /** Registers the bridge acknowledged (two per socket: the user's address and flags.changed). */
  private long acknowledged;
  private final List<String> errorSamples = new ArrayList<>();

  /** What the sockets are waiting for: a title (notifications) or a flag name, with the send time and arrivals. */
  private String expectTitlePrefix;
  private final Map<String, Long> sentAt = new HashMap<>();
  private Histogram arrivals;
  private long received;
  private long duplicates;
  /** (title or flag change) and socket of every frame counted, to tell a duplicate from a new arrival. */
  private java.util.Set<String> seen = new java.util.HashSet<>();
  private String expectFlag;
  private long flagSentAt;

  SocketsScenario(Vertx vertx, Settings s, WebClient client, Population pop, Args a, Path out) {
    this.vertx = vertx;
    this.s = s;
    this.client = client;
    this.pop = pop;
    this.total = a.integer("sockets", 10_000);
    this.steps = a.integer("steps", 4);
    this.broadcasts = a.integer("broadcasts", 3);
    this.flagChanges = a.integer("flag-changes", 3);
    this.out = out;
  }

  void run() throws Exception {
    ctx = vertx.getOrCreateContext();
    List<String> tokens = Suite.timed("minting " + total + " socket tokens", () -> pop.userTokens(total));
    List<String> admins = pop.adminTokens((s.pushSeconds() + s.pushWarmupSeconds()) * s.pushRate() / CREATES_PER_ADMIN + 2 + broadcasts, 500);
    String flagAdmin = admins.get(admins.size() - 1);

    JsonArray memory = new JsonArray();
    memory.add(memoryRow(0));
    // Pings start with the first socket: the bridge closes a socket silent for 10 s.
    int[] slice = {0};
    long pinger = vertx.setPeriodic(PING_EVERY_MS / PING_SLICES, id -> ctx.runOnContext(v -> {
      int k = slice[0]++ % PING_SLICES;
      for (int i = k; i < sockets.size(); i += PING_SLICES) sockets.get(i).writeTextMessage("{\"type\":\"ping\"}");
    }));
    for (int step = 1; step <= steps; step++) {
      int to = (int) ((long) total * step / steps);
      int from = sockets.size();
      long t0 = System.nanoTime();
      onContext(() -> connectAll(tokens, from, to)).await(10, TimeUnit.MINUTES);
      Suite.log("%d sockets connected and registered (%d new in %.1f s)".formatted(sockets.size(), to - from,
          (System.nanoTime() - t0) / 1e9));
      // Measured once the bridge has acknowledged every register so far.
      Suite.awaitCount("registers acknowledged", () -> onContext(() -> Future.succeededFuture(acknowledged)).await(),
          2L * sockets.size(), 120_000);
      memory.add(memoryRow(sockets.size()));
    }

    // Idle cost of the held sockets (pings only).
    CpuMeter meter = new CpuMeter(s.serverPid(), 0, "", s.host(), s.clockTicks());
    CpuMeter.Mark mark = meter.start();
    Suite.sleep(10_000);
    double idleCores = meter.since(mark).server() / meter.since(mark).wall();

    JsonObject single = singleUserPushes(admins);
    JsonArray broadcastRows = new JsonArray();
    for (int b = 0; b < broadcasts; b++) {
      broadcastRows.add(broadcast(admins.get(admins.size() - 2 - b), b));
      Suite.sleep(3_000);
    }
    JsonArray flagRows = new JsonArray();
    String flagId = createFlag(flagAdmin);
    // The create is signalled too (same flag name): let those frames arrive before measuring changes.
    Suite.sleep(5_000);
    for (int f = 0; f < flagChanges; f++) {
      flagRows.add(flagChange(flagAdmin, flagId, f));
      Suite.sleep(3_000);
    }
    memory.add(memoryRow(sockets.size()));
    vertx.cancelTimer(pinger);

    JsonObject row = new JsonObject().put("id", "sockets").put("sockets", sockets.size()).put("target", total)
        .put("refusedRegistrations", refusals).put("socketErrors", socketErrors).put("closedByServer", closedByServer)
        .put("idleServerCores", idleCores).put("memory", memory).put("singleUser", single)
        .put("broadcasts", broadcastRows).put("flagChanges", flagRows);
    if (!errorSamples.isEmpty()) row.put("errorSamples", new JsonArray(List.copyOf(errorSamples)));
    Files.writeString(out, row.encodePrettily() + "\n");
    Suite.log("sockets scenario done: " + out);
    onContext(() -> Future.join(sockets.stream().map(WebSocket::close).toList())).otherwiseEmpty().await(60, TimeUnit.SECONDS);
    wsClients.forEach(WebSocketClient::close);
  }

  // ---- memory of the node ----

  private JsonObject memoryRow(int count) {
    long rssKb = rssKb(s.serverPid());
    String before = jcmd("GC.heap_info");
    jcmd("GC.run");
    String after = jcmd("GC.heap_info");
    JsonObject row = new JsonObject().put("sockets", count).put("rssKiB", rssKb)
        .put("heapUsedKiB", heapUsed(before)).put("heapLiveKiB", heapUsed(after)).put("rssAfterGcKiB", rssKb(s.serverPid()));
    Suite.log("memory: " + row.encode());
    return row;
  }

  private static long rssKb(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D+", ""));
      }
    } catch (IOException e) {
      // gone
    }
    return -1;
  }

  private String jcmd(String command) {
    try {
      Process p = new ProcessBuilder("jcmd", String.valueOf(s.serverPid()), command).redirectErrorStream(true).start();
      String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor(60, TimeUnit.SECONDS);
      return text;
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  /** "garbage-first heap   total 262144K, used 61234K [...]" → 61234. */
  private static long heapUsed(String heapInfo) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("heap\\s+total \\d+K, used (\\d+)K").matcher(heapInfo);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }

  // ---- sockets ----

  private Future<Void> connectAll(List<String> tokens, int from, int to) {
    if (from >= to) return Future.succeededFuture();
    int end = Math.min(to, from + CONNECTS_IN_FLIGHT);
    List<Future<WebSocket>> batch = new ArrayList<>();
    for (int i = from; i < end; i++) batch.add(connect(i, tokens.get(i)));
    return Future.all(batch).compose(x -> connectAll(tokens, end, to));
  }

  /** Socket i comes from 127.0.0.(2 + i / 2,500): several source addresses, as many clients would. */
  private WebSocketClient wsClient(int i) {
    int k = i / PER_SOURCE_ADDRESS;
    while (wsClients.size() <= k) {
      wsClients.add(vertx.createWebSocketClient(new WebSocketClientOptions()
          .setDefaultHost(s.host()).setDefaultPort(s.port()).setMaxConnections(PER_SOURCE_ADDRESS + 100)
          .setLocalAddress("127.0.0." + (2 + wsClients.size())).setTcpNoDelay(true)));
    }
    return wsClients.get(k);
  }

  private Future<WebSocket> connect(int i, String token) {
    return wsClient(i).connect(new WebSocketConnectOptions().setURI("/eventbus/websocket")).map(sock -> {
      long index = i;
      sock.binaryMessageHandler(b -> onFrame(index, b));
      sock.textMessageHandler(t -> onFrame(index, Buffer.buffer(t)));
      sock.exceptionHandler(t -> {
        socketErrors++;
        note("socket: " + t);
      });
      sock.closeHandler(v -> closedByServer++);
      JsonObject auth = new JsonObject().put("Authorization", "Bearer " + token);
      sock.writeTextMessage(new JsonObject().put("type", "register").put("address", "notifications.user." + s.userId(i + 1))
          .put("headers", auth).encode());
      sock.writeTextMessage(new JsonObject().put("type", "register").put("address", "flags.changed")
          .put("headers", auth).encode());
      sockets.add(sock);
      return sock;
    });
  }

  private void onFrame(long socket, Buffer frame) {
    long now = System.nanoTime();
    JsonObject msg = new JsonObject(frame);
    String type = msg.getString("type");
    if ("err".equals(type)) {
      refusals++;
      note("bridge: " + msg.encode());
      return;
    }
    if (!"rec".equals(type)) return;
    JsonObject body = msg.getJsonObject("body");
    if (body == null) return;
    if ("registered".equals(body.getString("event"))) {
      acknowledged++;
      return;
    }
    if (arrivals == null) return;
    Long sent = null;
    String key = "flag#" + socket;
    if ("flags.changed".equals(body.getString("event"))) {
      JsonArray names = body.getJsonArray("names");
      if (expectFlag != null && names != null && names.contains(expectFlag)) sent = flagSentAt;
    } else if (expectTitlePrefix != null) {
      JsonObject n = body.getJsonObject("notification");
      String title = n == null ? null : n.getString("title");
      if (title != null && title.startsWith(expectTitlePrefix)) {
        sent = sentAt.get(title);
        key = title + "#" + socket;
      }
    }
    if (sent == null) return;
    if (!seen.add(key)) {
      duplicates++;
      return;
    }
    received++;
    arrivals.recordValue(Math.min((now - sent) / 1_000, arrivals.getHighestTrackableValue()));
  }

  private void expect(String titlePrefix, String flag) {
    onContext(() -> {
      arrivals = Measurement.newHistogram();
      received = 0;
      duplicates = 0;
      seen = new java.util.HashSet<>();
      sentAt.clear();
      expectTitlePrefix = titlePrefix;
      expectFlag = flag;
      return Future.succeededFuture();
    }).await();
  }

  private JsonObject collect(long expected, long graceMs) {
    long deadline = System.currentTimeMillis() + graceMs;
    while (System.currentTimeMillis() < deadline && onContext(() -> Future.succeededFuture(received)).await() < expected) {
      Suite.sleep(20);
    }
    return onContext(() -> {
      JsonObject row = new JsonObject().put("expected", expected).put("received", received)
          .put("lost", expected - received).put("duplicates", duplicates);
      Measurement.putLatencies(row, arrivals);
      arrivals = null;
      expectTitlePrefix = null;
      expectFlag = null;
      return Future.succeededFuture(row);
    }).await();
  }

  // ---- single-user pushes ----

  private JsonObject singleUserPushes(List<String> admins) throws Exception {
    int count = (s.pushWarmupSeconds() + s.pushSeconds()) * s.pushRate();
    int warm = s.pushWarmupSeconds() * s.pushRate();
    Histogram rest = Measurement.newHistogram();
    long[] restErrors = {0};
    // Warm-up pushes count for nothing: a separate title prefix the frame handler ignores.
    Suite.log("single-user pushes: %d at %d/s (%d s warm-up, %d s measured) with %d sockets held".formatted(
        count, s.pushRate(), s.pushWarmupSeconds(), s.pushSeconds(), sockets.size()));
    expect("sockets push ", null);
    Promise<Void> done = Promise.promise();
    long start = System.nanoTime();
    int[] sent = {0};
    int[] answered = {0};
    int[] accepted = {0};
    ctx.runOnContext(v -> vertx.setPeriodic(5, 5, id -> {
      long due = Math.min(count, (System.nanoTime() - start) * s.pushRate() / 1_000_000_000L + 1);
      while (sent[0] < due) {
        int seq = sent[0]++;
        boolean measured = seq >= warm;
        int user = 1 + ThreadLocalRandom.current().nextInt(sockets.size());
        String title = (measured ? "sockets push " : "sockets warm ") + seq;
        long t = System.nanoTime();
        if (measured) sentAt.put(title, t);
        client.post("/api/v1/notifications").bearerTokenAuthentication(admins.get(seq / CREATES_PER_ADMIN))
            .timeout(Suite.REQUEST_TIMEOUT_MS)
            .sendJsonObject(new JsonObject().put("userId", s.userId(user)).put("type", "SYSTEM").put("title", title)
                .put("message", "one user, " + sockets.size() + " sockets held"))
            .onComplete(ar -> {
              if (ar.succeeded() && ar.result().statusCode() == 201) {
                if (measured) {
                  accepted[0]++;
                  rest.recordValue(Math.min((System.nanoTime() - t) / 1_000, rest.getHighestTrackableValue()));
                }
              } else {
                restErrors[0]++;
                if (measured) sentAt.remove(title);
                note(ar.succeeded() ? "REST " + ar.result().statusCode() + " " + ar.result().bodyAsString() : "REST " + ar.cause());
              }
              if (++answered[0] == count) done.complete();
            });
      }
      if (sent[0] >= count) vertx.cancelTimer(id);
    }));
    done.future().await(s.pushWarmupSeconds() + s.pushSeconds() + 120L, TimeUnit.SECONDS);
    long expected = onContext(() -> Future.succeededFuture((long) accepted[0])).await();
    JsonObject row = collect(expected, 5_000);
    JsonObject restRow = new JsonObject();
    Measurement.putLatencies(restRow, rest);
    row.put("rate", s.pushRate()).put("seconds", s.pushSeconds()).put("restErrors", restErrors[0]).put("rest", restRow);
    Suite.log("single-user pushes: " + row.encode());
    return row;
  }

  // ---- broadcast ----

  private JsonObject broadcast(String admin, int b) {
    JsonArray ids = new JsonArray();
    for (int n = 1; n <= sockets.size(); n++) ids.add(s.userId(n));
    String title = "sockets broadcast " + b;
    expect(title, null);
    long t0 = System.nanoTime();
    HttpResponse<Buffer> r = onContext(() -> {
      sentAt.put(title, t0);
      return client.post("/api/v1/notifications").bearerTokenAuthentication(admin).timeout(60_000)
          .sendJsonObject(new JsonObject().put("userIds", ids).put("type", "SYSTEM").put("title", title)
              .put("message", "to every socket"));
    }).await();
    double restMs = (System.nanoTime() - t0) / 1e6;
    long expected = r.statusCode() == 201 ? sockets.size() : 0;
    if (expected == 0) note("broadcast: " + r.statusCode() + " " + r.bodyAsString());
    JsonObject row = collect(expected, 30_000).put("restMs", restMs).put("status", r.statusCode());
    Suite.log("broadcast " + b + ": " + row.encode());
    return row;
  }

  // ---- flags.changed ----

  private String createFlag(String admin) {
    HttpResponse<Buffer> r = onContext(() -> client.post("/api/v1/flags").bearerTokenAuthentication(admin)
        .sendJsonObject(new JsonObject().put("name", "sockets-" + s.run()).put("enabled", true))).await();
    if (r.statusCode() != 201) throw new IllegalStateException("flag create: " + r.statusCode() + " " + r.bodyAsString());
    return r.bodyAsJsonObject().getJsonObject("data").getString("id");
  }

  private JsonObject flagChange(String admin, String id, int f) {
    String name = "sockets-" + s.run();
    expect(null, name);
    long t0 = System.nanoTime();
    HttpResponse<Buffer> r = onContext(() -> {
      flagSentAt = t0;
      return client.patch("/api/v1/flags/" + id).bearerTokenAuthentication(admin)
          .sendJsonObject(new JsonObject().put("rolloutPercentage", 10 + f));
    }).await();
    double restMs = (System.nanoTime() - t0) / 1e6;
    JsonObject row = collect(r.statusCode() == 200 ? sockets.size() : 0, 30_000).put("restMs", restMs).put("status", r.statusCode());
    Suite.log("flags.changed " + f + ": " + row.encode());
    return row;
  }

  // ---- plumbing ----

  private <T> Future<T> onContext(Supplier<Future<T>> work) {
    Promise<T> p = Promise.promise();
    ctx.runOnContext(v -> work.get().onComplete(p));
    return p.future();
  }

  private void note(String what) {
    if (errorSamples.size() < 5) errorSamples.add(ClosedLoop.abbreviate(what));
  }
}
