package dev.systemtables.push;

import io.vertx.core.json.JsonObject;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A browser-like client of the raw event-bus endpoint {@code /eventbus/websocket}, built on
 * {@link java.net.http.WebSocket}: frames are JSON, the server's come as binary frames, and it
 * pings every 5 s as the official JavaScript client does (the bridge drops silent sockets).
 */
final class BridgeClient implements AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  final BlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
  final CompletableFuture<Integer> closed = new CompletableFuture<>();
  private final ScheduledExecutorService pinger = Executors.newSingleThreadScheduledExecutor();
  private WebSocket socket;

  private BridgeClient() {
  }

  static BridgeClient connect(int port) {
    return connect(port, null);
  }

  static BridgeClient connect(int port, String origin) {
    BridgeClient c = new BridgeClient();
    WebSocket.Builder b = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
    if (origin != null) b.header("Origin", origin);
    c.socket = b.buildAsync(URI.create("ws://127.0.0.1:" + port + "/eventbus/websocket"), c.listener()).join();
    c.pinger.scheduleAtFixedRate(() -> c.send(new JsonObject().put("type", "ping")), 5, 5, TimeUnit.SECONDS);
    return c;
  }

  synchronized void send(JsonObject frame) {
    if (!socket.isOutputClosed()) socket.sendText(frame.encode(), true).join();
  }

  void register(String address, String token) {
    JsonObject frame = new JsonObject().put("type", "register").put("address", address);
    if (token != null) frame.put("headers", new JsonObject().put("Authorization", "Bearer " + token));
    send(frame);
  }

  /** The next frame that matches, skipping others; null when none came in time. */
  JsonObject next(Predicate<JsonObject> match, long millis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + millis;
    for (long left = millis; left > 0; left = deadline - System.currentTimeMillis()) {
      JsonObject f = frames.poll(left, TimeUnit.MILLISECONDS);
      if (f != null && match.test(f)) return f;
    }
    return null;
  }

  static Predicate<JsonObject> errFor(String address) {
    return f -> "err".equals(f.getString("type")) && address.equals(f.getString("address"));
  }

  static Predicate<JsonObject> messageOn(String address) {
    return f -> "rec".equals(f.getString("type")) && address.equals(f.getString("address"));
  }

  private WebSocket.Listener listener() {
    return new WebSocket.Listener() {
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
        binary.write(bytes, 0, bytes.length);
        if (last) {
          frames.add(new JsonObject(binary.toString(StandardCharsets.UTF_8)));
          binary.reset();
        }
        ws.request(1);
        return null;
      }

      @Override
      public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
        closed.complete(statusCode);
        return null;
      }

      @Override
      public void onError(WebSocket ws, Throwable error) {
        closed.completeExceptionally(error);
      }
    };
  }

  @Override
  public void close() {
    pinger.shutdownNow();
    if (!socket.isOutputClosed()) {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").orTimeout(2, TimeUnit.SECONDS).exceptionally(t -> null).join();
    }
    socket.abort();
  }
}
