package dev.systemtables.push;

import dev.systemtables.testing.BridgeClient;
import dev.systemtables.testing.RawWebSocket;
import dev.systemtables.testing.TestApp;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The compression bomb of issue 11: 10 MiB of {@code x} deflated to about 10 KB, sent without a token.
 * While bombs go to every event loop, another user's push, a REST call, and every event loop's
 * responsiveness are measured, and compared with the same measures just before, so a loaded machine
 * moves both alike. The 100 ms bound is the issue's; the work one bomb may cost is a few microseconds.
 */
@DisplayName("One compressed 10 KB message inflating to 10 MiB is refused at once and delays nobody else")
class CompressionBombTest {

  static final int BOMBS = 8;
  static final long STALL_BOUND_MS = 100;

  static TestApp app;
  static String admin;
  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(3)).build();

  @BeforeAll
  static void start() {
    app = TestApp.start();
    admin = app.token("admin-bomb", "ADMIN");
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  /** The worst delays seen in one phase, in milliseconds. */
  static final class Worst {
    final AtomicLong loop = new AtomicLong();
    final AtomicLong rest = new AtomicLong();
    final AtomicLong push = new AtomicLong();

    @Override
    public String toString() {
      return "event loop " + loop + " ms, REST " + rest + " ms, push " + push + " ms";
    }
  }

  @Test
  @DisplayName("Each bomb socket is closed with 1009, and no event loop, push or REST call is delayed by more than 100 ms")
  void bombDelaysNobody() throws Exception {
    String user = "bomb-victim-" + UUID.randomUUID();
    assertThat(app.put("/api/v1/users/" + user, admin, "{\"role\":\"CREATOR\"}").status()).isEqualTo(200);
    String address = BrowserAddresses.user(user);
    byte[] bomb = new byte[10 * 1024 * 1024];
    Arrays.fill(bomb, (byte) 'x');
    byte[] compressed = RawWebSocket.compress(bomb);
    bomb = null;
    assertThat(compressed.length).as("about 10 KB on the wire").isLessThan(12_000);
    byte[] harmless = RawWebSocket.compress("{\"type\":\"ping\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));

    try (BridgeClient client = BridgeClient.connect(app.port())) {
      client.register(address, app.token(user, "CREATOR"));
      client.awaitRegistered(address);
      // Warm-up: JIT, pools, connections, and one bomb, so that first-time class loading is not counted.
      try (RawWebSocket first = RawWebSocket.open(app.port(), "/eventbus/websocket", true)) {
        first.frame(RawWebSocket.TEXT, true, true, compressed);
        first.awaitClose(10_000);
      }
      awaitLoopsResponsive();
      measure(client, user, address, 1_000, List.of(), harmless);

      // Rounds of the same traffic with harmless messages, then with bombs: a delay the bombs cause shows
      // in every round, a hiccup of this shared machine in one; the smallest difference is what they cost.
      long loop = Long.MAX_VALUE;
      long rest = Long.MAX_VALUE;
      long push = Long.MAX_VALUE;
      List<String> rounds = new ArrayList<>();
      List<Integer> closeCodes = new ArrayList<>();
      for (int round = 0; round < 3; round++) {
        List<RawWebSocket> quiet = open(BOMBS);
        Worst control = measure(client, user, address, 1_500, quiet, harmless);
        quiet.forEach(RawWebSocket::close);
        List<RawWebSocket> bombed = open(BOMBS);
        Worst during = measure(client, user, address, 1_500, bombed, compressed);
        for (RawWebSocket ws : bombed) {
          try (ws) {
            closeCodes.add(ws.awaitClose(3_000));
          }
        }
        rounds.add("harmless: " + control + " / bombs: " + during);
        loop = Math.min(loop, during.loop.get() - control.loop.get());
        rest = Math.min(rest, during.rest.get() - control.rest.get());
        push = Math.min(push, during.push.get() - control.push.get());
      }
      System.out.println("[bomb] " + String.join("\n[bomb] ", rounds));
      assertThat(loop).as("event-loop stall the bombs cause; " + rounds).isLessThanOrEqualTo(STALL_BOUND_MS);
      assertThat(rest).as("REST delay the bombs cause; " + rounds).isLessThanOrEqualTo(STALL_BOUND_MS);
      assertThat(push).as("push delay the bombs cause; " + rounds).isLessThanOrEqualTo(STALL_BOUND_MS);
      assertThat(closeCodes).as("every bomb socket got a 1009 close frame").hasSize(3 * BOMBS).containsOnly(1009);
      assertThat(client.closed()).as("the victim's socket stays open").isNotDone();
    }
  }

  static List<RawWebSocket> open(int n) throws java.io.IOException {
    List<RawWebSocket> sockets = new ArrayList<>();
    for (int i = 0; i < n; i++) sockets.add(RawWebSocket.open(app.port(), "/eventbus/websocket", true));
    return sockets;
  }

  /**
   * For {@code millis}, while {@code message} goes out on each of {@code senders} in turn: every 10 ms, how
   * long a task waits for each event loop; back to back, how long a notification create (REST) takes and
   * how long its push takes to reach the user's socket.
   */
  static Worst measure(BridgeClient client, String user, String address, long millis, List<RawWebSocket> senders,
                       byte[] message) throws Exception {
    Worst worst = new Worst();
    ScheduledExecutorService prober = Executors.newScheduledThreadPool(2);
    // One message every 150 ms, each on its own socket: successive sockets land on successive event loops.
    for (int i = 0; i < senders.size(); i++) {
      RawWebSocket ws = senders.get(i);
      prober.schedule(() -> {
        ws.frame(RawWebSocket.TEXT, true, true, message);
        return null;
      }, 150L * i, TimeUnit.MILLISECONDS);
    }
    List<EventExecutor> loops = new ArrayList<>();
    ((VertxInternal) app.app().vertx()).nettyEventLoopGroup().forEach(loops::add);
    // A probe still waiting when the phase ends counts with its wait so far: a loop held for the whole
    // phase must not read as 0 ms.
    java.util.Set<long[]> pending = java.util.concurrent.ConcurrentHashMap.newKeySet();
    prober.scheduleAtFixedRate(() -> {
      for (EventExecutor loop : loops) {
        long[] sent = {System.nanoTime()};
        pending.add(sent);
        loop.execute(() -> {
          pending.remove(sent);
          worst.loop.accumulateAndGet((System.nanoTime() - sent[0]) / 1_000_000, Math::max);
        });
      }
    }, 0, 10, TimeUnit.MILLISECONDS);
    try {
      long end = System.currentTimeMillis() + millis;
      while (System.currentTimeMillis() < end) {
        String title = "t-" + UUID.randomUUID();
        long sent = System.nanoTime();
        long restMillis;
        try {
          HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(app.baseUrl() + "/api/v1/notifications"))
              .timeout(Duration.ofSeconds(3)).header("Authorization", "Bearer " + admin)
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("userId", user).put("type", "SYSTEM")
                  .put("title", title).put("message", "m").encode())).build(), HttpResponse.BodyHandlers.ofString());
          restMillis = (System.nanoTime() - sent) / 1_000_000;
          assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        } catch (java.net.http.HttpTimeoutException e) {
          restMillis = 3_000;
        }
        worst.rest.accumulateAndGet(restMillis, Math::max);
        JsonObject frame = client.next(f -> BridgeClient.messageOn(address).test(f) && title.equals(
            f.getJsonObject("body").getJsonObject("notification", new JsonObject()).getString("title")), 3_000);
        long pushMillis = frame == null ? 3_000 : (System.nanoTime() - sent) / 1_000_000;
        worst.push.accumulateAndGet(pushMillis, Math::max);
        Thread.sleep(20);
      }
    } finally {
      prober.shutdownNow();
      prober.awaitTermination(1, TimeUnit.SECONDS);
    }
    long now = System.nanoTime();
    for (long[] sent : pending) worst.loop.accumulateAndGet((now - sent[0]) / 1_000_000, Math::max);
    return worst;
  }

  /** Waits (at most a minute) until every event loop runs a task again. */
  static void awaitLoopsResponsive() throws Exception {
    List<EventExecutor> loops = new ArrayList<>();
    ((VertxInternal) app.app().vertx()).nettyEventLoopGroup().forEach(loops::add);
    java.util.concurrent.CountDownLatch ran = new java.util.concurrent.CountDownLatch(loops.size());
    loops.forEach(loop -> loop.execute(ran::countDown));
    assertThat(ran.await(60, TimeUnit.SECONDS)).as("event loops responsive").isTrue();
  }
}
