package dev.systemtables.cluster;

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
 * {@code /eventbus/websocket}, speaking the Vert.x bridge protocol (JSON frames; the server may send them
 * as binary frames), pinging every 4 seconds as the official client does (the bridge drops a socket
 * silent for 10 s).
 */
final class BridgeSocket implements AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final LinkedBlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
  private final List<JsonObject> seen = new ArrayList<>();
  private final CompletableFuture<String> closed = new CompletableFuture<>();
  private final ScheduledExecutorService pinger = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "bridge-ping");
    t.setDaemon(true);
    return t;
  });
  private final WebSocket socket;

  private BridgeSocket(String baseUrl, String origin) {
    URI uri = URI.create(baseUrl.replaceFirst("^http", "ws") + "/eventbus/websocket");
    this.socket = HTTP.newWebSocketBuilder()
        .header("Origin", origin)
        .connectTimeout(Duration.ofSeconds(5))
        .buildAsync(uri, new Listener())
        .orTimeout(10, TimeUnit.SECONDS)
        .join();
    pinger.scheduleAtFixedRate(() -> {
      if (!closed.isDone()) send(new JsonObject().put("type", "ping"));
    }, 4, 4, TimeUnit.SECONDS);
  }

  /** Opens a socket to a node, as a page served by that node (its own origin) would. */
  static BridgeSocket open(String baseUrl) {
    return new BridgeSocket(baseUrl, baseUrl);
  }

  /** Sends the REGISTER frame for an address with the token in the frame headers. */
  void register(String address, String token) {
    send(new JsonObject().put("type", "register").put("address", address)
        .put("headers", new JsonObject().put("Authorization", "Bearer " + token)));
  }

  /** The body of the next {@code rec} frame on this address matching the predicate, within the timeout. */
  JsonObject awaitMessage(String address, Predicate<JsonObject> body, Duration timeout) throws InterruptedException {
    JsonObject frame = await(f -> "rec".equals(f.getString("type")) && address.equals(f.getString("address"))
        && f.getValue("body") instanceof JsonObject b && body.test(b), timeout);
    if (frame == null) {
      throw new AssertionError("no message on " + address + " within " + timeout + "; frames so far: " + seen);
    }
    return frame.getJsonObject("body");
  }

  /** The next frame matching, or null after the timeout; frames skipped on the way are kept in {@link #seen()}. */
  JsonObject await(Predicate<JsonObject> match, Duration timeout) throws InterruptedException {
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

  /** Every frame taken off the queue so far. */
  List<JsonObject> seen() {
    synchronized (seen) {
      return List.copyOf(seen);
    }
  }

  /** Completes with a reason when the server or the network closes the socket. */
  CompletableFuture<String> closed() {
    return closed;
  }

  private synchronized void send(JsonObject frame) {
    try {
      socket.sendText(frame.encode(), true).get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      closed.complete("send failed: " + e);
    }
  }

  @Override
  public void close() {
    pinger.shutdownNow();
    if (!closed.isDone()) {
      try {
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(2, TimeUnit.SECONDS);
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
        frame(text.toString());
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
        frame(binary.toString(StandardCharsets.UTF_8));
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

    private void frame(String json) {
      frames.add(new JsonObject(json));
    }
  }
}
