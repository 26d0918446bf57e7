package dev.systemtables.testing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A browser that cannot open a WebSocket, as the SockJS client falls back for it: the {@code xhr}
 * (long polling) or {@code xhr_streaming} transport to receive, {@code xhr_send} to send, speaking the
 * Vert.x event-bus bridge protocol inside SockJS frames ({@code o}, {@code h}, {@code a[...]}, {@code c[...]}).
 */
public final class SockJsXhrClient implements AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  private final String base;
  private final LinkedBlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
  private final List<JsonObject> seen = new ArrayList<>();
  private final Thread receiver;
  private volatile boolean open = true;
  private volatile boolean closedByServer;

  private SockJsXhrClient(String baseUrl, boolean streaming) throws InterruptedException {
    this.base = baseUrl + "/eventbus/" + (100 + (int) (Math.random() * 800)) + "/" + UUID.randomUUID();
    LinkedBlockingQueue<String> opened = new LinkedBlockingQueue<>();
    this.receiver = new Thread(streaming ? () -> stream(opened) : () -> poll(opened), "sockjs-xhr");
    receiver.setDaemon(true);
    receiver.start();
    String first = opened.poll(10, TimeUnit.SECONDS);
    if (!"o".equals(first)) throw new IllegalStateException("no SockJS open frame, got " + first);
  }

  /** Opens a session with the {@code xhr} (long polling) or {@code xhr_streaming} transport. */
  public static SockJsXhrClient open(String baseUrl, boolean streaming) throws InterruptedException {
    return new SockJsXhrClient(baseUrl, streaming);
  }

  /** The session's URL prefix, e.g. {@code http://127.0.0.1:8080/eventbus/123/<uuid>}. */
  public String base() {
    return base;
  }

  /** Sends one bridge frame with {@code xhr_send}; returns the HTTP status (204 when accepted). */
  public int send(JsonObject frame) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/xhr_send"))
        .timeout(Duration.ofSeconds(10)).header("Content-Type", "text/plain")
        .POST(HttpRequest.BodyPublishers.ofString(new JsonArray().add(frame.encode()).encode())).build(),
        HttpResponse.BodyHandlers.ofString());
    return r.statusCode();
  }

  /** The REGISTER frame for an address with the token in its headers. */
  public int register(String address, String token) throws Exception {
    return send(new JsonObject().put("type", "register").put("address", address)
        .put("headers", new JsonObject().put("Authorization", "Bearer " + token)));
  }

  /** The next bridge frame that matches, skipping others; null when none came in time. */
  public JsonObject next(Predicate<JsonObject> match, long millis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
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

  public List<JsonObject> seen() {
    synchronized (seen) {
      return List.copyOf(seen);
    }
  }

  public boolean closedByServer() {
    return closedByServer;
  }

  private void poll(LinkedBlockingQueue<String> opened) {
    int emptyFailures = 0;
    while (open) {
      try {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/xhr"))
            .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.ofString());
        emptyFailures = 0;
        for (String line : r.body().split("\n")) handle(line, opened);
      } catch (IOException e) {
        // A pooled keep-alive connection the server had just closed fails before any byte of an answer;
        // a browser sends such a request again on a new connection, and so does this client (a few times).
        if (open && String.valueOf(e.getMessage()).contains("received no bytes") && ++emptyFailures <= 3) continue;
        if (open) closedByServer = true;
        return;
      } catch (Exception e) {
        if (open) closedByServer = true;
        return;
      }
    }
  }

  private void stream(LinkedBlockingQueue<String> opened) {
    try {
      HttpResponse<Stream<String>> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/xhr_streaming"))
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofLines());
      try (Stream<String> lines = r.body()) {
        lines.takeWhile(l -> open).forEach(l -> handle(l, opened));
      }
    } catch (Exception e) {
      if (open) closedByServer = true;
    }
  }

  private void handle(String line, LinkedBlockingQueue<String> opened) {
    if (line.isEmpty() || line.chars().allMatch(c -> c == 'h')) return;
    if (line.equals("o")) {
      opened.add("o");
    } else if (line.startsWith("a[")) {
      for (Object message : new JsonArray(line.substring(1))) frames.add(new JsonObject((String) message));
    } else if (line.startsWith("c[")) {
      closedByServer = true;
      open = false;
    }
  }

  @Override
  public void close() {
    open = false;
    receiver.interrupt();
  }
}
