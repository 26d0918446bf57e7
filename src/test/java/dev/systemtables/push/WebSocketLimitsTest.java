package dev.systemtables.push;

import dev.systemtables.testing.BridgeClient;
import dev.systemtables.testing.RawWebSocket;
import dev.systemtables.testing.TestApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Bridge WebSockets: a message over the limit, compressed or in fragments, closes its socket with a close frame")
class WebSocketLimitsTest {

  static final int LIMIT = 65_536;
  static TestApp app;

  @BeforeAll
  static void start() {
    app = TestApp.start();
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  /** The raw endpoint, and SockJS's own WebSocket transport (what the official JavaScript client uses). */
  static String path(String transport) {
    return "raw".equals(transport) ? "/eventbus/websocket" : "/eventbus/000/" + UUID.randomUUID() + "/websocket";
  }

  static byte[] filler(int n) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) 'x');
    return b;
  }

  @ParameterizedTest(name = "{0} transport")
  @ValueSource(strings = {"raw", "sockjs"})
  @DisplayName("Fragments that add up past the limit close the socket with 1009 and then the connection")
  void fragmentsPastTheLimit(String transport) throws Exception {
    try (RawWebSocket ws = RawWebSocket.open(app.port(), path(transport), false)) {
      // Exactly the limit in eight fragments, then a last one that passes it: nothing is written after the
      // frame that should close the socket (writing on would race the close into a broken pipe).
      ws.frame(RawWebSocket.TEXT, false, false, filler(8_192));
      for (int i = 0; i < 7; i++) ws.frame(RawWebSocket.CONTINUATION, false, false, filler(8_192));
      ws.frame(RawWebSocket.CONTINUATION, true, false, filler(10));
      assertThat(ws.awaitClose(5_000)).isEqualTo(1009);
      assertThat(ws.awaitEndOfStream(5_000)).as("no zombie: the TCP connection ends too").isTrue();
    }
  }

  @ParameterizedTest(name = "{0} transport")
  @ValueSource(strings = {"raw", "sockjs"})
  @DisplayName("One uncompressed frame over the limit closes the socket with 1009")
  void oneFrameOverTheLimit(String transport) throws Exception {
    try (RawWebSocket ws = RawWebSocket.open(app.port(), path(transport), false)) {
      ws.frame(RawWebSocket.TEXT, true, false, filler(LIMIT + 1));
      assertThat(ws.awaitClose(5_000)).isEqualTo(1009);
      assertThat(ws.awaitEndOfStream(5_000)).isTrue();
    }
  }

  @ParameterizedTest(name = "{0} transport")
  @ValueSource(strings = {"raw", "sockjs"})
  @DisplayName("A compressed message that inflates past the limit closes the socket with 1009")
  void compressedPastTheLimit(String transport) throws Exception {
    try (RawWebSocket ws = RawWebSocket.open(app.port(), path(transport), true)) {
      assertThat(ws.deflate()).as("permessage-deflate stays available").isTrue();
      byte[] bomb = filler(1024 * 1024);
      ws.compressedText(bomb);
      assertThat(ws.awaitClose(5_000)).isEqualTo(1009);
      assertThat(ws.awaitEndOfStream(5_000)).isTrue();
    }
  }

  @Test
  @DisplayName("Compressed fragments that add up past the limit close the socket with 1009")
  void compressedFragments() throws Exception {
    try (RawWebSocket ws = RawWebSocket.open(app.port(), path("raw"), true)) {
      byte[] compressed = RawWebSocket.compress(filler(3 * LIMIT));
      int third = compressed.length / 3;
      ws.frame(RawWebSocket.TEXT, false, true, Arrays.copyOfRange(compressed, 0, third));
      ws.frame(RawWebSocket.CONTINUATION, false, false, Arrays.copyOfRange(compressed, third, 2 * third));
      ws.frame(RawWebSocket.CONTINUATION, true, false, Arrays.copyOfRange(compressed, 2 * third, compressed.length));
      assertThat(ws.awaitClose(5_000)).isEqualTo(1009);
    }
  }

  @Test
  @DisplayName("Compressed messages under the limit still work both ways: a register over a compressed socket gets its pushes")
  void compressionStillWorks() throws Exception {
    String u = "ws-" + UUID.randomUUID();
    String address = BrowserAddresses.user(u);
    try (RawWebSocket ws = RawWebSocket.open(app.port(), path("raw"), true)) {
      assertThat(ws.deflate()).isTrue();
      JsonObject register = new JsonObject().put("type", "register").put("address", address)
          .put("headers", new JsonObject().put("Authorization", "Bearer " + app.token(u, "CREATOR")));
      ws.compressedText(register.encode().getBytes(StandardCharsets.UTF_8));
      String probe = UUID.randomUUID().toString();
      long deadline = System.currentTimeMillis() + 10_000;
      while (System.currentTimeMillis() < deadline) {
        app.app().vertx().eventBus().publish(address, new JsonObject().put("probe", probe).put("pad", "y".repeat(2_000)));
        RawWebSocket.Frame f;
        try {
          f = ws.next(200);
        } catch (java.net.SocketTimeoutException e) {
          continue;
        }
        assertThat(f).isNotNull();
        JsonObject frame = new JsonObject(f.text());
        if (BridgeClient.pushOn(address).test(frame)) {
          assertThat(frame.getJsonObject("body").getString("probe")).isEqualTo(probe);
          return;
        }
      }
      throw new AssertionError("no push over the compressed socket");
    }
  }

  @Test
  @DisplayName("A message just under the limit is read (and refused by the bridge as the junk it is), the socket stays open")
  void justUnderTheLimit() throws Exception {
    try (RawWebSocket ws = RawWebSocket.open(app.port(), path("raw"), false)) {
      String junk = new JsonObject().put("type", "ping").put("pad", "z".repeat(LIMIT - 100)).encode();
      assertThat(junk.length()).isLessThan(LIMIT);
      ws.text(junk);
      ws.text(new JsonArray().encode());
      RawWebSocket.Frame reply = ws.next(5_000);
      assertThat(reply).isNotNull();
      assertThat(reply.opcode()).isNotEqualTo(RawWebSocket.CLOSE);
    }
  }
}
