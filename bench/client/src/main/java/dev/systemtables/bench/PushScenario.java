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
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Push latency: {@code pushClients} WebSockets on {@code /eventbus/websocket}, each registered on its
 * own user's address with that user's token; notifications created through REST
 * ({@code POST /api/v1/notifications {"userId": ...}}, round robin over the users) at a steady
 * open-loop rate. Latency is from just before the REST call to the frame's arrival at its socket,
 * both read from this process's clock. A notification whose REST call answered 201 but that never
 * arrived is lost.
 *
 * <p>Everything runs on one Vert.x context, so the bookkeeping needs no locks; at a few hundred
 * messages a second the client's own delay is small next to the service's.
 */
final class PushScenario {

  private static final long PING_EVERY_MS = 5_000;
  private static final int PING_SLICES = 100;
  private static final long GRACE_MS = 5_000;
  private static final int CONNECTS_IN_FLIGHT = 50;
  /** Creations per ADMIN caller, well under the service's 1,000 per caller and hour. */
  private static final int CREATES_PER_ADMIN = 400;

  private final Vertx vertx;
  private final Settings s;
  private final WebClient client;
  private final Population pop;

  private Context ctx;
  private final List<WebSocket> sockets = new ArrayList<>();
  private final Histogram histogram = Measurement.newHistogram();
  /** The REST part alone: from just before the call to its 201. */
  private final Histogram restHistogram = Measurement.newHistogram();
  /** Worst delivery latency per second of sending, to tell one stall from a steady tail. */
  private long[] worstPerSecond;
  private long[] sentAt;
  private BitSet accepted;
  private BitSet received;
  private long firstMeasured;
  private long lastMeasured;
  private long restErrors;
  private long refusals;
  private long duplicates;
  private long strangers;
  private long acknowledged;
  private final List<String> errorSamples = new ArrayList<>();

  private final CpuMeter cpu;

  PushScenario(Vertx vertx, Settings s, WebClient client, Population pop, CpuMeter cpu) {
    this.cpu = cpu;
    this.vertx = vertx;
    this.s = s;
    this.client = client;
    this.pop = pop;
  }

  JsonObject run() throws Exception {
    String scenario = "push: " + s.pushClients() + " WebSocket clients, REST create → frame at " + s.pushRate() + "/s";
    ctx = vertx.getOrCreateContext();
    List<String> tokens = Suite.timed("minting " + s.pushClients() + " socket tokens", () -> pop.userTokens(s.pushClients()));
    int total = (s.pushWarmupSeconds() + s.pushSeconds()) * s.pushRate();
    List<String> admins = pop.adminTokens(total / CREATES_PER_ADMIN + 1, 200);
    sentAt = new long[total];
    worstPerSecond = new long[total / Math.max(1, s.pushRate()) + 1];
    accepted = new BitSet(total);
    received = new BitSet(total);
    firstMeasured = (long) s.pushWarmupSeconds() * s.pushRate();
    lastMeasured = total - 1;

    WebSocketClient ws = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setDefaultHost(s.host()).setDefaultPort(s.port()).setMaxConnections(s.pushClients() + 100)
        .setTcpNoDelay(true));
    Suite.timed("connecting and registering " + s.pushClients() + " sockets",
        () -> onContext(ctx, () -> connectAll(ws, tokens, 0)).await(5, TimeUnit.MINUTES));
    // Pushing starts once the bridge has acknowledged every register: from then on each push reaches its socket.
    Suite.awaitCount("registers acknowledged", () -> onContext(ctx, () -> Future.succeededFuture(acknowledged)).await(),
        s.pushClients(), 60_000);
    // Each socket pings every 5 s as the official client does, on its own phase (real browsers are not
    // synchronised): one slice of the sockets per tick, instead of a burst of 1,000 pings at once.
    int[] slice = {0};
    long pinger = vertx.setPeriodic(PING_EVERY_MS / PING_SLICES, id -> ctx.runOnContext(v -> {
      int k = slice[0]++ % PING_SLICES;
      for (int i = k; i < sockets.size(); i += PING_SLICES) sockets.get(i).writeTextMessage("{\"type\":\"ping\"}");
    }));

    Suite.log("pushing " + total + " notifications at " + s.pushRate() + "/s (" + s.pushWarmupSeconds()
        + " s warm-up, " + s.pushSeconds() + " s measured)");
    CpuMeter.Mark mark = cpu.start();
    onContext(ctx, () -> sendAll(admins, total)).await(s.pushWarmupSeconds() + s.pushSeconds() + 120L, TimeUnit.SECONDS);
    // Stragglers: wait until every accepted notification arrived, or the grace period is over.
    long deadline = System.currentTimeMillis() + GRACE_MS;
    while (System.currentTimeMillis() < deadline && missing() > 0) Suite.sleep(50);
    vertx.cancelTimer(pinger);
    CpuMeter.Usage usage = cpu.since(mark);

    long measured = lastMeasured - firstMeasured + 1;
    long lost = missing();
    double seconds = s.pushSeconds();
    JsonObject row = new JsonObject().put("id", "push").put("scenario", scenario).put("status", "ok")
        .put("concurrency", s.pushClients())
        .put("requests", measured).put("rps", measured / seconds).put("seconds", seconds)
        .put("errors", onContext(ctx, () -> Future.succeededFuture(restErrors + refusals)).await())
        .put("lost", lost).put("duplicates", duplicates).put("strangers", strangers)
        .put("acknowledgedRegistrations", acknowledged)
        .put("refusedRegistrations", refusals).put("clients", sockets.size());
    Measurement.putLatencies(row, histogram);
    JsonObject rest = new JsonObject();
    Measurement.putLatencies(rest, restHistogram);
    row.put("rest", rest);
    io.vertx.core.json.JsonArray worst = new io.vertx.core.json.JsonArray();
    for (long w : worstPerSecond) worst.add(Math.round(w / 100.0) / 10.0);
    row.put("worstMsPerSecond", worst);
    Suite.log("  REST create alone: " + rest.encode());
    Suite.log("  worst delivery latency per second of sending (ms): " + worst.encode());
    Measurement.putCpu(row, usage, total);
    if (!errorSamples.isEmpty()) row.put("errorSamples", new io.vertx.core.json.JsonArray(List.copyOf(errorSamples)));
    onContext(ctx, () -> Future.join(sockets.stream().map(WebSocket::close).toList())).otherwiseEmpty()
        .await(30, TimeUnit.SECONDS);
    ws.close();
    return row;
  }

  private long missing() {
    return onContext(ctx, () -> {
      BitSet lost = (BitSet) accepted.clone();
      lost.andNot(received);
      return Future.succeededFuture((long) lost.get((int) firstMeasured, (int) lastMeasured + 1).cardinality());
    }).await();
  }

  private <T> Future<T> onContext(Context ctx, java.util.function.Supplier<Future<T>> work) {
    Promise<T> p = Promise.promise();
    ctx.runOnContext(v -> work.get().onComplete(p));
    return p.future();
  }

  // ---- sockets ----

  private Future<Void> connectAll(WebSocketClient ws, List<String> tokens, int from) {
    if (from >= tokens.size()) return Future.succeededFuture();
    int to = Math.min(tokens.size(), from + CONNECTS_IN_FLIGHT);
    List<Future<WebSocket>> batch = new ArrayList<>();
    for (int i = from; i < to; i++) batch.add(connect(ws, i + 1, tokens.get(i)));
    return Future.all(batch).compose(x -> connectAll(ws, tokens, to));
  }

  private Future<WebSocket> connect(WebSocketClient ws, int user, String token) {
    return ws.connect(new WebSocketConnectOptions().setURI("/eventbus/websocket")).map(sock -> {
      sock.binaryMessageHandler(this::onFrame);
      sock.textMessageHandler(text -> onFrame(Buffer.buffer(text)));
      sock.exceptionHandler(t -> noteError("socket: " + t));
      sock.writeTextMessage(new JsonObject().put("type", "register").put("address", "notifications.user." + s.userId(user))
          .put("headers", new JsonObject().put("Authorization", "Bearer " + token)).encode());
      sockets.add(sock);
      return sock;
    });
  }

  private void onFrame(Buffer frame) {
    long now = System.nanoTime();
    JsonObject msg = new JsonObject(frame);
    String type = msg.getString("type");
    if ("err".equals(type)) {
      refusals++;
      noteError("bridge: " + msg.encode());
      return;
    }
    if (!"rec".equals(type)) return;
    JsonObject body = msg.getJsonObject("body");
    if (body != null && "registered".equals(body.getString("event"))) {
      acknowledged++;
      return;
    }
    JsonObject n = body == null ? null : body.getJsonObject("notification");
    String title = n == null ? null : n.getString("title");
    if (title == null || !title.startsWith("bench push ")) {
      strangers++;
      return;
    }
    int seq = Integer.parseInt(title.substring("bench push ".length()));
    if (received.get(seq)) {
      duplicates++;
      return;
    }
    received.set(seq);
    long micros = (now - sentAt[seq]) / 1_000;
    if (seq >= firstMeasured && seq <= lastMeasured) {
      histogram.recordValue(Math.min(micros, histogram.getHighestTrackableValue()));
    }
    int second = seq / Math.max(1, s.pushRate());
    worstPerSecond[second] = Math.max(worstPerSecond[second], micros);
  }

  // ---- the open-loop sender ----

  private Future<Void> sendAll(List<String> admins, int total) {
    Promise<Void> done = Promise.promise();
    long start = System.nanoTime();
    int[] sent = {0};
    int[] answered = {0};
    // Every 5 ms, send what is due (each send stamps its own start): a 1 ms timer would cost this
    // client, which shares the machine with the service, more than the sends themselves.
    vertx.setPeriodic(5, 5, id -> {
      long due = Math.min(total, (System.nanoTime() - start) * s.pushRate() / 1_000_000_000L + 1);
      while (sent[0] < due) {
        int seq = sent[0]++;
        String user = s.userId(1 + seq % s.pushClients());
        JsonObject body = new JsonObject().put("userId", user).put("type", "SYSTEM")
            .put("title", "bench push " + seq).put("message", "pushed while measuring");
        sentAt[seq] = System.nanoTime();
        client.post("/api/v1/notifications").bearerTokenAuthentication(admins.get(seq / CREATES_PER_ADMIN))
            .timeout(Suite.REQUEST_TIMEOUT_MS).sendJsonObject(body).onComplete(ar -> {
              if (ar.succeeded() && ar.result().statusCode() == 201) {
                accepted.set(seq);
                if (seq >= firstMeasured) {
                  restHistogram.recordValue(Math.min((System.nanoTime() - sentAt[seq]) / 1_000, restHistogram.getHighestTrackableValue()));
                }
              } else {
                restErrors++;
                noteError(ar.succeeded() ? "REST " + ar.result().statusCode() + " " + ClosedLoop.abbreviate(ar.result().bodyAsString())
                    : "REST " + ar.cause());
              }
              if (++answered[0] == total) done.complete();
            });
      }
      if (sent[0] >= total) vertx.cancelTimer(id);
    });
    return done.future();
  }

  private void noteError(String what) {
    if (errorSamples.size() < 3) errorSamples.add(ClosedLoop.abbreviate(what));
  }
}
