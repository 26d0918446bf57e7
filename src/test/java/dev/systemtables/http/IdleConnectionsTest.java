package dev.systemtables.http;

import dev.systemtables.push.BrowserAddresses;
import dev.systemtables.testing.BridgeClient;
import dev.systemtables.testing.RawHttp;
import dev.systemtables.testing.TestApp;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Idle and trickling connections are closed after their timeouts; pinging bridge sockets are not")
class IdleConnectionsTest {

  static TestApp app;

  @BeforeAll
  static void start() {
    app = TestApp.start(Map.of(), new JsonObject().put("http", new JsonObject()
        .put("idleTimeoutSeconds", 2).put("headersTimeoutSeconds", 1)));
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  /** Milliseconds until the server closes the connection (reading and discarding), or -1 after {@code max}. */
  static long untilClosed(Socket s, long max) throws Exception {
    long started = System.nanoTime();
    s.setSoTimeout((int) max);
    InputStream in = s.getInputStream();
    try {
      while (in.read() >= 0) {
        // discard
      }
    } catch (SocketTimeoutException e) {
      return -1;
    } catch (java.io.IOException e) {
      // reset: closed too
    }
    return (System.nanoTime() - started) / 1_000_000;
  }

  @Test
  @DisplayName("A connection that sends nothing is closed after the idle timeout")
  void silentConnection() throws Exception {
    try (Socket s = new Socket("127.0.0.1", app.port())) {
      long closedAfter = untilClosed(s, 10_000);
      assertThat(closedAfter).as("closed by the server").isGreaterThanOrEqualTo(0);
    }
  }

  @Test
  @DisplayName("A keep-alive connection left silent after a request is closed after the idle timeout")
  void silentKeepAlive() throws Exception {
    try (Socket s = new Socket("127.0.0.1", app.port())) {
      s.getOutputStream().write("GET /health/live HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(RawHttp.read(s.getInputStream(), false).status()).isEqualTo(200);
      assertThat(untilClosed(s, 10_000)).as("closed by the server").isGreaterThanOrEqualTo(0);
    }
  }

  /** Sends {@code head} one byte every 200 ms until the server answers or closes; returns the answer. */
  static RawHttp.Answer trickle(Socket s, String head) throws Exception {
    OutputStream out = s.getOutputStream();
    byte[] bytes = head.getBytes(StandardCharsets.US_ASCII);
    s.setSoTimeout(1);
    for (int i = 0; i < bytes.length; i++) {
      try {
        out.write(bytes[i]);
        out.flush();
      } catch (java.io.IOException e) {
        break;
      }
      Thread.sleep(200);
      try {
        if (s.getInputStream().available() > 0) break;
      } catch (java.io.IOException e) {
        break;
      }
    }
    s.setSoTimeout(10_000);
    return RawHttp.read(s.getInputStream(), false);
  }

  @Test
  @DisplayName("Headers trickled in one byte at a time get a 408 problem after the headers timeout, and the connection closes")
  void trickledHeaders() throws Exception {
    String head = "GET /health/live HTTP/1.1\r\nHost: a\r\nX-Slow: " + "s".repeat(200) + "\r\n\r\n";
    try (Socket s = new Socket("127.0.0.1", app.port())) {
      long started = System.nanoTime();
      RawHttp.Answer a = trickle(s, head);
      long millis = (System.nanoTime() - started) / 1_000_000;
      assertThat(a.status()).as(a.toString()).isEqualTo(408);
      assertThat(a.header("Content-Type")).isEqualTo("application/problem+json");
      assertThat(a.json().getString("code")).isEqualTo("REQUEST_TIMEOUT");
      assertThat(millis).as("well before the trickle would have ended (%d bytes at 200 ms)", head.length())
          .isLessThan(head.length() * 200L / 2);
      assertThat(untilClosed(s, 5_000)).isGreaterThanOrEqualTo(0);
    }
  }

  @Test
  @DisplayName("The headers timeout applies to each request of a keep-alive connection")
  void trickledSecondRequest() throws Exception {
    try (Socket s = new Socket("127.0.0.1", app.port())) {
      s.getOutputStream().write("GET /health/live HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(RawHttp.read(s.getInputStream(), false).status()).isEqualTo(200);
      RawHttp.Answer second = trickle(s, "GET /health/live HTTP/1.1\r\nHost: a\r\nX-Slow: " + "s".repeat(200) + "\r\n\r\n");
      assertThat(second.status()).as(second.toString()).isEqualTo(408);
    }
  }

  @Test
  @DisplayName("A bridge WebSocket that pings outlives both timeouts and still receives its pushes")
  void pingingBridgeSocketStaysOpen() throws Exception {
    String u = "idle-" + UUID.randomUUID();
    String address = BrowserAddresses.user(u);
    try (BridgeClient client = BridgeClient.connectPinging(app.port(), Duration.ofMillis(500))) {
      client.register(address, app.token(u, "CREATOR"));
      client.awaitRegistered(address);
      Thread.sleep(5_000);
      assertThat(client.closed()).as("open after 5 s with a 2 s idle and a 1 s headers timeout").isNotDone();
      client.awaitProbe(app.app().vertx(), address);
    }
  }
}
