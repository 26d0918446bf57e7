package dev.systemtables.testing;

import io.vertx.core.json.JsonObject;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A browser's event-bus bridge connection as a test sees it: the raw WebSocket endpoint
 * {@code /eventbus/websocket}, built on {@link java.net.http.WebSocket} and speaking the Vert.x bridge
 * protocol (JSON frames; the server sends them as binary frames). It pings every 4 seconds as the official
 * JavaScript client does (the bridge drops a socket silent for 10 s).
 *
 * <p>Frames wait in a queue until {@link #next} takes them; every frame taken is kept for {@link #seen()},
 * which failure messages can show.
 */
public final class BridgeClient implements AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Duration PING_EVERY = Duration.ofSeconds(4);

  private final LinkedBlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
  private final List<JsonObject> seen = new ArrayList<>();
  private final CompletableFuture<String> closed = new CompletableFuture<>();
  private final ScheduledExecutorService pinger = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "bridge-ping");
    t.setDaemon(true);
    return t;
  });
  private final WebSocket socket;

  private BridgeClient(URI uri, String origin) {
    this(uri, origin, PING_EVERY);
  }

  private BridgeClient(URI uri, String origin, Duration pingEvery) {
    WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
    if (origin != null) builder.header("Origin", origin);
    // A refused handshake surfaces as a CompletionException caused by a WebSocketHandshakeException.
    this.socket = builder.buildAsync(uri, new Listener()).orTimeout(10, TimeUnit.SECONDS).join();
    pinger.scheduleAtFixedRate(() -> {
      if (!closed.isDone()) send(new JsonObject().put("type", "ping"));
    }, pingEvery.toMillis(), pingEvery.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Opens a socket to {@code 127.0.0.1:port} without an Origin header that pings at this interval. */
  public static BridgeClient connectPinging(int port, Duration pingEvery) {
    return new BridgeClient(URI.create("ws://127.0.0.1:" + port + "/eventbus/websocket"), null, pingEvery);
  }

  /** Opens a socket to {@code 127.0.0.1:port} without an Origin header (not a browser). */
  public static BridgeClient connect(int port) {
    return connect(port, null);
  }

  /** Opens a socket to {@code 127.0.0.1:port} sending {@code origin} as the Origin header (none when null). */
  public static BridgeClient connect(int port, String origin) {
    return connect("http://127.0.0.1:" + port, origin);
  }

  /** Opens a socket to a node, as a page served by that node (its own origin) would. */
  public static BridgeClient connect(String baseUrl) {
    return connect(baseUrl, baseUrl);
  }

  /** Opens a socket to the node at {@code baseUrl} (http or https) with the given Origin header (none when null). */
  public static BridgeClient connect(String baseUrl, String origin) {
    return new BridgeClient(URI.create(baseUrl.replaceFirst("^http", "ws") + "/eventbus/websocket"), origin);
  }

  /** Sends a frame; a failed send completes {@link #closed()}. */
  public synchronized void send(JsonObject frame) {
    if (socket.isOutputClosed()) return;
    try {
      socket.sendText(frame.encode(), true).get(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closed.complete("send interrupted");
    } catch (Exception e) {
      closed.complete("send failed: " + e);
    }
  }

  /** Sends the REGISTER frame for an address, with the token in the frame headers (none when null). */
  public void register(String address, String token) {
    JsonObject frame = new JsonObject().put("type", "register").put("address", address);
    if (token != null) frame.put("headers", new JsonObject().put("Authorization", "Bearer " + token));
    send(frame);
  }

  /** The next frame that matches, skipping others; null when none came in time. */
  public JsonObject next(Predicate<JsonObject> match, long millis) throws InterruptedException {
    return next(match, Duration.ofMillis(millis));
  }

  /** The next frame that matches, skipping others (kept in {@link #seen()}); null when none came in time. */
  public JsonObject next(Predicate<JsonObject> match, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) return null;
      JsonObject f = frames.poll(left, TimeUnit.NANOSECONDS);
      if (f == null) return null;
      synchronized (seen) {
        seen.add(f);
      }
      if (match.test(f)) return f;
    }
  }

  /** The body of the next {@code rec} frame on this address whose body matches; fails after the timeout. */
  public JsonObject awaitMessage(String address, Predicate<JsonObject> body, Duration timeout)
      throws InterruptedException {
    JsonObject frame = next(f -> messageOn(address).test(f) && f.getValue("body") instanceof JsonObject b
        && body.test(b), timeout);
    if (frame == null) {
      throw new AssertionError("no message on " + address + " within " + timeout + "; frames so far: " + seen());
    }
    return frame.getJsonObject("body");
  }

  /**
   * Waits until the bridge acknowledges this socket's register of {@code address} (fails after 10 s): from
   * then on, whatever is published on the address reaches this socket. Frames before it are skipped.
   */
  public void awaitRegistered(String address) throws InterruptedException {
    awaitRegistered(address, Duration.ofSeconds(10));
  }

  /** Waits until the bridge acknowledges this socket's register of {@code address}; fails after the timeout. */
  public void awaitRegistered(String address, Duration timeout) throws InterruptedException {
    if (next(registeredOn(address), timeout) == null) {
      throw new AssertionError("the register of " + address + " was never acknowledged; frames so far: " + seen());
    }
  }

  /**
   * Waits until a message published on {@code node}'s event bus reaches this socket: probes are published
   * until one arrives (fails after 10 s). Shows that a registered socket still delivers.
   */
  public void awaitProbe(io.vertx.core.Vertx node, String address) throws InterruptedException {
    String probe = java.util.UUID.randomUUID().toString();
    long deadline = System.currentTimeMillis() + 10_000;
    while (System.currentTimeMillis() < deadline) {
      node.eventBus().publish(address, new JsonObject().put("event", "probe").put("probe", probe));
      if (next(f -> messageOn(address).test(f) && f.getValue("body") instanceof JsonObject b
          && probe.equals(b.getString("probe")), 100) != null) {
        return;
      }
    }
    throw new AssertionError("no probe reached the socket on " + address + "; frames so far: " + seen());
  }

  /** Drops the frames received but not yet taken. */
  public void clear() {
    frames.clear();
  }

  /** Every frame taken off the queue so far. */
  public List<JsonObject> seen() {
    synchronized (seen) {
      return List.copyOf(seen);
    }
  }

  /** Completes with a reason when the server or the network closes the socket (or a send fails). */
  public CompletableFuture<String> closed() {
    return closed;
  }

  /** An {@code err} frame about this address. */
  public static Predicate<JsonObject> errFor(String address) {
    return f -> "err".equals(f.getString("type")) && address.equals(f.getString("address"));
  }

  /** The acknowledgement of a register of this address: {@code {"event": "registered"}} on it. */
  public static Predicate<JsonObject> registeredOn(String address) {
    return f -> messageOn(address).test(f) && f.getValue("body") instanceof JsonObject b
        && "registered".equals(b.getString("event"));
  }

  /** A message on this address other than a register's acknowledgement: something published on it. */
  public static Predicate<JsonObject> pushOn(String address) {
    return messageOn(address).and(registeredOn(address).negate());
  }

  /** A {@code rec} frame (a message) on this address. */
  public static Predicate<JsonObject> messageOn(String address) {
    return f -> "rec".equals(f.getString("type")) && address.equals(f.getString("address"));
  }

  @Override
  public void close() {
    pinger.shutdownNow();
    if (!closed.isDone() && !socket.isOutputClosed()) {
      try {
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(2, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        // already gone
      }
    }
    socket.abort();
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder text = new StringBuilder();
    private final ByteArrayOutputStream binary = new ByteArrayOutputStream();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        frames.add(new JsonObject(text.toString()));
        text.setLength(0);
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
      byte[] bytes = new byte[data.remaining()];
      data.get(bytes);
      binary.writeBytes(bytes);
      if (last) {
        frames.add(new JsonObject(binary.toString(StandardCharsets.UTF_8)));
        binary.reset();
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
      closed.complete("closed " + status + " " + reason);
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      closed.complete("error " + error);
    }
  }
}
