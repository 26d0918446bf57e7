package dev.systemtables.cluster;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded open-loop load of mixed reads and writes through one address (the load balancer), as the
 * platform's services would send it: {@code rate} requests a second, each one recorded.
 *
 * <p>Mix, by request number {@code k % 10}: 0–3 reads (flags of the caller, unread count, the first inbox
 * page, {@code /me}); 4–6 {@code PUT /api/v1/users/{id}} with an {@code Idempotency-Key}; 7–8
 * {@code POST /api/v1/notifications} to one user, without a key; 9 the replay of an earlier acknowledged
 * PUT with its key, which must answer the stored response with {@code Idempotent-Replayed: true}.
 *
 * <p>At most {@link #MAX_IN_FLIGHT} requests are outstanding: on a machine too busy to keep up (a shared CI
 * runner) the sender holds back and the achieved rate drops, instead of queueing requests in the client
 * until they time out — which would say something about the machine, not about the restarts. The
 * achieved rate is reported.
 *
 * <p>Retry policy (the one the README documents for callers): a 503 — the service's {@code UNAVAILABLE}
 * with {@code Retry-After}, or the balancer's "no server available" — says the request was not run; it is
 * retried after 250 ms, up to 4 times. Nothing else is retried: any other non-2xx answer is a failure, and
 * any transport error (refused, reset, timed out) is a connection error.
 */
final class MixedLoad {

  private static final int MAX_RETRIES = 4;
  private static final int MAX_IN_FLIGHT = 64;
  private static final long RETRY_AFTER_MS = 250;

  private final Vertx vertx;
  private final HttpClientAgent client;
  private final int rate;
  private final String run;
  private final String admin;
  private final List<String> userTokens;
  private final List<String> userIds;

  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong ok = new AtomicLong();
  private final AtomicLong retried = new AtomicLong();
  private final AtomicLong connectionErrors = new AtomicLong();
  private final AtomicLong timeouts = new AtomicLong();
  private final AtomicLong heldBack = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final AtomicLong replays = new AtomicLong();
  private final AtomicLong replayMismatches = new AtomicLong();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Map<Integer, Long> finalStatuses = Collections.synchronizedMap(new TreeMap<>());
  private final List<String> samples = Collections.synchronizedList(new ArrayList<>());
  /** Acknowledged PUTs: user id and the exact body answered, for the replays and the final check. */
  private final ConcurrentLinkedQueue<String[]> ackedPuts = new ConcurrentLinkedQueue<>();
  private final List<String[]> replayable = Collections.synchronizedList(new ArrayList<>());
  private final ConcurrentLinkedQueue<String> ackedNotifications = new ConcurrentLinkedQueue<>();

  private long timer = -1;
  private long startNanos;

  MixedLoad(String baseUrl, int rate, String run, String admin, List<String> userIds, List<String> userTokens) {
    this.vertx = Vertx.vertx();
    URI uri = URI.create(baseUrl);
    // Idle connections are closed by the client after 5 s, before the balancer's own 10 s keep-alive
    // timeout: a client reusing a connection the balancer is closing would see a reset that says nothing
    // about the nodes behind it.
    this.client = vertx.createHttpClient(new HttpClientOptions().setDefaultHost(uri.getHost())
        .setDefaultPort(uri.getPort()).setKeepAliveTimeout(5).setConnectTimeout(5_000),
        new PoolOptions().setHttp1MaxSize(MAX_IN_FLIGHT));
    this.rate = rate;
    this.run = run;
    this.admin = admin;
    this.userIds = userIds;
    this.userTokens = userTokens;
  }

  void start() {
    startNanos = System.nanoTime();
    // Every 10 ms, send what is due: an open loop, so a slow answer never slows the offered load.
    timer = vertx.setPeriodic(10, id -> {
      long due = (System.nanoTime() - startNanos) * rate / 1_000_000_000L;
      while (sent.get() + heldBack.get() < due) {
        if (inFlight.get() >= MAX_IN_FLIGHT) {
          heldBack.incrementAndGet();
        } else {
          send((int) sent.getAndIncrement());
        }
      }
    });
  }

  /** Stops sending, then waits (bounded) until every request sent has its final answer. */
  void stop(Duration wait) throws InterruptedException {
    vertx.cancelTimer(timer);
    long deadline = System.nanoTime() + wait.toNanos();
    while (inFlight.get() > 0 && System.nanoTime() < deadline) Thread.sleep(50);
  }

  void close() {
    client.close().await();
    vertx.close().await();
  }

  /** One answer, its body read in full. */
  private record Answer(int status, MultiMap headers, Buffer body) {
    String header(String name) {
      return headers.get(name);
    }

    String text() {
      return body.toString();
    }
  }

  private static RequestOptions call(HttpMethod method, String uri, String token) {
    // 30 s to get a connection, 30 s without a byte of the answer: then the request counts as timed out.
    return new RequestOptions().setMethod(method).setURI(uri).setConnectTimeout(30_000).setIdleTimeout(30_000)
        .putHeader("Authorization", "Bearer " + token);
  }

  private Future<Answer> exchange(RequestOptions options, JsonObject body) {
    if (body != null) options.putHeader("Content-Type", "application/json");
    return client.request(options)
        .compose(req -> body == null ? req.send() : req.send(body.toBuffer()))
        .compose(resp -> resp.body().map(b -> new Answer(resp.statusCode(), resp.headers(), b)));
  }

  private void send(int k) {
    int kind = k % 10;
    int u = k % userIds.size();
    inFlight.incrementAndGet();
    switch (kind) {
      case 0 -> attempt(k, () -> call(HttpMethod.GET, "/api/v1/flags/enabled", userTokens.get(u)), null, 0);
      case 1 -> attempt(k, () -> call(HttpMethod.GET, "/api/v1/notifications/unread-count", userTokens.get(u)), null, 0);
      case 2 -> attempt(k, () -> call(HttpMethod.GET, "/api/v1/notifications?pageSize=5", userTokens.get(u)), null, 0);
      case 3 -> attempt(k, () -> call(HttpMethod.GET, "/api/v1/me", userTokens.get(u)), null, 0);
      case 4, 5, 6 -> {
        String id = "rr-" + run + "-" + k;
        JsonObject body = new JsonObject().put("role", "VIEWER").put("email", id + "@example.com");
        attempt(k, () -> call(HttpMethod.PUT, "/api/v1/users/" + id, admin).putHeader("Idempotency-Key", "put-" + id),
            body, 0);
      }
      case 7, 8 -> {
        JsonObject body = new JsonObject().put("userId", userIds.get(u)).put("type", "SYSTEM")
            .put("title", "rolling " + run + " " + k).put("message", "created during the rolling restart");
        attempt(k, () -> call(HttpMethod.POST, "/api/v1/notifications", admin), body, 0);
      }
      default -> {
        String[] earlier;
        synchronized (replayable) {
          earlier = replayable.isEmpty() ? null : replayable.get(k % replayable.size());
        }
        if (earlier == null) {
          attempt(k, () -> call(HttpMethod.GET, "/api/v1/me", admin), null, 0);
        } else {
          JsonObject body = new JsonObject().put("role", "VIEWER").put("email", earlier[0] + "@example.com");
          attempt(-1 - k, () -> call(HttpMethod.PUT, "/api/v1/users/" + earlier[0], admin)
              .putHeader("Idempotency-Key", "put-" + earlier[0]), body, 0, earlier);
        }
      }
    }
  }

  private void attempt(int k, java.util.function.Supplier<RequestOptions> request, JsonObject body, int tries) {
    attempt(k, request, body, tries, null);
  }

  private void attempt(int k, java.util.function.Supplier<RequestOptions> request, JsonObject body, int tries,
                       String[] replayOf) {
    exchange(request.get(), body).onComplete(ar -> {
      if (ar.failed()) {
        // A request that got no answer in 30 s is reported apart from refused or reset connections.
        (ar.cause() instanceof java.util.concurrent.TimeoutException ? timeouts : connectionErrors).incrementAndGet();
        note("request " + k + ": " + ar.cause());
        inFlight.decrementAndGet();
        return;
      }
      Answer resp = ar.result();
      int status = resp.status();
      if (status == 503 && tries < MAX_RETRIES) {
        retried.incrementAndGet();
        vertx.setTimer(RETRY_AFTER_MS, t -> attempt(k, request, body, tries + 1, replayOf));
        return;
      }
      finalStatuses.merge(status, 1L, Long::sum);
      if (status / 100 == 2) {
        ok.incrementAndGet();
        record(k, resp, replayOf);
      } else {
        failures.incrementAndGet();
        note("request " + k + ": " + status + " " + resp.text());
      }
      inFlight.decrementAndGet();
    });
  }

  private void record(int k, Answer resp, String[] replayOf) {
    if (replayOf != null) {
      replays.incrementAndGet();
      if (!"true".equals(resp.header("Idempotent-Replayed")) || !replayOf[1].equals(resp.text())) {
        replayMismatches.incrementAndGet();
        note("replay of " + replayOf[0] + " answered " + resp.headers() + " " + resp.text());
      }
      return;
    }
    int kind = k % 10;
    if (kind >= 4 && kind <= 6) {
      String[] put = {"rr-" + run + "-" + k, resp.text()};
      ackedPuts.add(put);
      // A first request that was itself replayed (never here: keys are fresh) could not be compared.
      if (resp.header("Idempotent-Replayed") == null) replayable.add(put);
    } else if (kind == 7 || kind == 8) {
      ackedNotifications.add(resp.body().toJsonObject().getJsonObject("data").getJsonArray("notificationIds").getString(0));
    }
  }

  private void note(String what) {
    if (samples.size() < 10) samples.add(what.length() > 300 ? what.substring(0, 300) + "…" : what);
  }

  long sent() {
    return sent.get();
  }

  long ok() {
    return ok.get();
  }

  long retried() {
    return retried.get();
  }

  long connectionErrors() {
    return connectionErrors.get();
  }

  long timeouts() {
    return timeouts.get();
  }

  long heldBack() {
    return heldBack.get();
  }

  long failures() {
    return failures.get();
  }

  long replays() {
    return replays.get();
  }

  long replayMismatches() {
    return replayMismatches.get();
  }

  int inFlight() {
    return inFlight.get();
  }

  Map<Integer, Long> finalStatuses() {
    synchronized (finalStatuses) {
      return new TreeMap<>(finalStatuses);
    }
  }

  List<String> samples() {
    synchronized (samples) {
      return List.copyOf(samples);
    }
  }

  List<String> ackedUserIds() {
    return ackedPuts.stream().map(p -> p[0]).toList();
  }

  List<String> ackedNotificationIds() {
    return List.copyOf(ackedNotifications);
  }

  double seconds() {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
