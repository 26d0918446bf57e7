package dev.systemtables.http;

import dev.systemtables.config.AppConfig;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.TimeUnit;

/**
 * What one connection may cost the node, from {@code http.*} in conf/config.yaml.
 *
 * @param idleTimeoutSeconds       a connection that neither sends nor receives anything this long is closed
 *                                 (0: never). Bridge sockets ping every 5 s and SockJS polls get a heartbeat
 *                                 every 25 s, so anything above 25 leaves them alone.
 * @param headersTimeoutSeconds    a request whose first byte arrived must have sent all its headers within
 *                                 this time, or it gets a 408 and the connection closes (0: never): a client
 *                                 trickling headers keeps a connection from being idle, so the idle timeout
 *                                 alone does not catch it.
 * @param webSocketMaxMessageBytes the largest WebSocket message the bridge reads, after decompression and
 *                                 across fragments; bigger ones close the socket with 1009. Bridge frames are
 *                                 small JSON (a register with its token is about 1 KiB).
 */
public record EdgeLimits(int idleTimeoutSeconds, int headersTimeoutSeconds, int webSocketMaxMessageBytes) {

  public static final int DEFAULT_IDLE_TIMEOUT_SECONDS = 60;
  public static final int DEFAULT_HEADERS_TIMEOUT_SECONDS = 10;
  public static final int DEFAULT_WEBSOCKET_MAX_MESSAGE_BYTES = 65_536;

  public EdgeLimits {
    if (idleTimeoutSeconds < 0) throw new IllegalArgumentException("http.idleTimeoutSeconds must be >= 0");
    if (headersTimeoutSeconds < 0) throw new IllegalArgumentException("http.headersTimeoutSeconds must be >= 0");
    if (webSocketMaxMessageBytes < 1024) {
      throw new IllegalArgumentException("http.webSocketMaxMessageBytes must be >= 1024");
    }
  }

  /**
   * The HTTP server's options for these limits. HTTP/1.1 only: h2c upgrades would end in-flight streams
   * with GOAWAY on shutdown, where HTTP/1.1 drains cleanly. WebSocket frames and messages share one limit
   * (a bridge frame is never near it); permessage-deflate stays on, bounded by {@link ConnectionGuard}.
   */
  public HttpServerOptions serverOptions(int port) {
    return new HttpServerOptions().setPort(port)
        .setHttp2ClearTextEnabled(false)
        .setIdleTimeout(idleTimeoutSeconds).setIdleTimeoutUnit(TimeUnit.SECONDS)
        .setMaxWebSocketFrameSize(webSocketMaxMessageBytes)
        .setMaxWebSocketMessageSize(webSocketMaxMessageBytes)
        .setPerFrameWebSocketCompressionSupported(false)
        .setPerMessageWebSocketCompressionSupported(true);
  }

  public static EdgeLimits from(AppConfig config) {
    JsonObject http = config.section("http");
    try {
      return new EdgeLimits(
          http.getInteger("idleTimeoutSeconds", DEFAULT_IDLE_TIMEOUT_SECONDS),
          http.getInteger("headersTimeoutSeconds", DEFAULT_HEADERS_TIMEOUT_SECONDS),
          http.getInteger("webSocketMaxMessageBytes", DEFAULT_WEBSOCKET_MAX_MESSAGE_BYTES));
    } catch (ClassCastException e) {
      throw new IllegalArgumentException("http.idleTimeoutSeconds, http.headersTimeoutSeconds and "
          + "http.webSocketMaxMessageBytes must be integers", e);
    }
  }
}
