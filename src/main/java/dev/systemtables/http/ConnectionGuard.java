package dev.systemtables.http;

import dev.systemtables.common.ApiException;
import dev.systemtables.common.ErrorCode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.compression.DecompressionException;
import io.netty.handler.codec.compression.ZlibCodecFactory;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtensionHandler;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateServerExtensionHandshaker;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.impl.ConnectionBase;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Per-connection limits Vert.x has no option for, installed from the server's connection handler into
 * the connection's Netty pipeline. Each answers where its cause lies, before any of the request reaches
 * Vert.x or the router:
 * <ul>
 *   <li><b>Compression bombs.</b> Vert.x builds Netty's permessage-deflate handshaker without its
 *   {@code maxAllocation}, so a 10 KB message of {@code x}s inflates to 10 MiB in thousands of small
 *   buffers, holding the event loop for seconds. The handshaker is swapped for one that stops inflating at
 *   the message limit; the socket then closes with 1009 after microseconds of work.</li>
 *   <li><b>Oversized messages.</b> Vert.x reports a message over its limit to the socket's exception
 *   handler and keeps the socket open; the SockJS bridge then drops the socket's registrations, leaving a
 *   zombie that never delivers again. Here the size of every message is counted across its fragments
 *   (after decompression) and one over the limit, like a frame Netty refuses, closes the socket with a
 *   close frame (1009, or the status Netty names).</li>
 *   <li><b>Trickled headers.</b> A request whose first byte arrived must complete its headers within
 *   {@code headersTimeoutSeconds}, else it gets a 408 problem and the connection closes. (Silent
 *   connections are Vert.x's idle timeout's job; a trickle is never idle.)</li>
 *   <li><b>HTTP versions.</b> Vert.x answers any request line whose version is not 1.0 or 1.1 with an
 *   empty 501 before a handler can see it. A later 1.x minor version is served as HTTP/1.1 (RFC 9112
 *   §2.3); another protocol or major version ({@code HTTP/2.0} on this cleartext HTTP/1.1 port) gets a
 *   400 problem.</li>
 *   <li><b>Broken body framing.</b> A bad chunk size makes Vert.x close the connection without an
 *   answer: the answer it has written goes out first, or else a 400 problem.</li>
 * </ul>
 *
 * <p>Reaching the pipeline needs Vert.x's internal {@link ConnectionBase}: there is no public way to
 * give Netty the decompression bound. {@code WebSocketLimitsTest}, {@code CompressionBombTest} and
 * {@code IdleConnectionsTest} fail if an upgrade of Vert.x changes what this relies on.
 */
final class ConnectionGuard {

  /** Vert.x's names for the handlers this class places itself around. */
  private static final String EXTENSIONS = "webSocketExtensionHandler";
  private static final String DECODER = "httpDecoder";
  private static final String HANDLER = "handler";
  private static final String REQUEST_START = "edgeRequestStart";

  private final EdgeLimits limits;
  private final HttpServerOptions options;

  ConnectionGuard(EdgeLimits limits, HttpServerOptions options) {
    this.limits = limits;
    this.options = options;
  }

  /** Installs the limits on a new connection (for {@code HttpServer.connectionHandler}). */
  void install(HttpConnection connection) {
    if (!(connection instanceof ConnectionBase base)) return;
    ChannelPipeline pipeline = base.channelHandlerContext().pipeline();
    if (pipeline.get(DECODER) == null || pipeline.get(HANDLER) == null) return;
    if (pipeline.get(EXTENSIONS) != null) {
      // The same handshaker Vert.x builds from the options, plus the bound on what one message may inflate to.
      pipeline.replace(EXTENSIONS, EXTENSIONS, new WebSocketServerExtensionHandler(
          new PerMessageDeflateServerExtensionHandshaker(options.getWebSocketCompressionLevel(),
              ZlibCodecFactory.isSupportingWindowSizeAndMemLevel(), PerMessageDeflateServerExtensionHandshaker.MAX_WINDOW_SIZE,
              options.getWebSocketAllowServerNoContext(), options.getWebSocketPreferredClientNoContext(),
              limits.webSocketMaxMessageBytes())));
    }
    State state = new State();
    if (limits.headersTimeoutSeconds() > 0) pipeline.addBefore(DECODER, REQUEST_START, new RequestStart(state));
    pipeline.addBefore(HANDLER, "edgeGuard", new Guard(state));
  }

  private enum Phase { BETWEEN_REQUESTS, HEADERS, IN_REQUEST, WEBSOCKET, CLOSING }

  /** One connection's state; touched only on its event loop. */
  private static final class State {
    Phase phase = Phase.BETWEEN_REQUESTS;
    ScheduledFuture<?> headersDeadline;
    long messageBytes;
    /** Whether the answer to the current request has started going out. */
    boolean responseStarted;

    void cancelDeadline() {
      if (headersDeadline != null) {
        headersDeadline.cancel(false);
        headersDeadline = null;
      }
    }
  }

  /** First in the pipeline: sees the raw bytes, so it knows when a request starts arriving. */
  private final class RequestStart extends ChannelInboundHandlerAdapter {
    private final State state;

    RequestStart(State state) {
      this.state = state;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (state.phase == Phase.BETWEEN_REQUESTS && msg instanceof ByteBuf bytes && bytes.isReadable()) {
        state.phase = Phase.HEADERS;
        state.headersDeadline = ctx.executor().schedule(() -> headersTimedOut(ctx),
            limits.headersTimeoutSeconds(), TimeUnit.SECONDS);
      }
      ctx.fireChannelRead(msg);
    }

    private void headersTimedOut(ChannelHandlerContext ctx) {
      state.headersDeadline = null;
      if (state.phase != Phase.HEADERS || !ctx.channel().isActive()) return;
      state.phase = Phase.CLOSING;
      // Written as bytes from before the HTTP codec, which holds a half-read request.
      byte[] body = problem(ErrorCode.REQUEST_TIMEOUT, "the request headers were not complete within "
          + limits.headersTimeoutSeconds() + " s");
      String head = "HTTP/1.1 408 Request Timeout\r\nContent-Type: " + Problems.CONTENT_TYPE
          + "\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
      ByteBuf response = Unpooled.buffer(head.length() + body.length)
          .writeBytes(head.getBytes(StandardCharsets.US_ASCII)).writeBytes(body);
      ctx.writeAndFlush(response).addListener(f -> ctx.close());
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
      state.cancelDeadline();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      state.cancelDeadline();
      ctx.fireChannelInactive();
    }
  }

  /** Last before Vert.x: sees decoded requests, and after an upgrade decoded (and inflated) WebSocket frames. */
  private final class Guard extends ChannelDuplexHandler {
    private final State state;

    Guard(State state) {
      this.state = state;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (state.phase == Phase.CLOSING) {
        ReferenceCountUtil.release(msg);
        return;
      }
      if (msg instanceof HttpRequest request) {
        state.cancelDeadline();
        state.phase = Phase.IN_REQUEST;
        state.responseStarted = false;
        if (request.decoderResult().isSuccess()) {
          HttpVersion version = request.protocolVersion();
          if (!"HTTP".equals(version.protocolName()) || version.majorVersion() != 1) {
            ReferenceCountUtil.release(msg);
            refuse(ctx, version.text() + " is not spoken on this port: it serves HTTP/1.1 (and 1.0)");
            return;
          }
          if (version.minorVersion() > 1) request.setProtocolVersion(HttpVersion.HTTP_1_1);
        }
      }
      if (msg instanceof HttpContent content && !(msg instanceof HttpRequest) && !content.decoderResult().isSuccess()) {
        // A body whose framing breaks (a bad chunk size). Given to Vert.x, it closes the connection at once,
        // dropping even an answer it has written but not yet flushed.
        ReferenceCountUtil.release(msg);
        if (state.responseStarted) {
          state.phase = Phase.CLOSING;
          ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> ctx.close());
        } else {
          refuse(ctx, "the request body's framing is invalid (chunked transfer coding)");
        }
        return;
      }
      if (msg instanceof LastHttpContent && state.phase == Phase.IN_REQUEST) {
        state.phase = Phase.BETWEEN_REQUESTS;
      }
      if (msg instanceof WebSocketFrame frame && !withinMessageLimit(frame)) {
        frame.release();
        closeWebSocket(ctx, WebSocketCloseStatus.MESSAGE_TOO_BIG,
            "message exceeds " + limits.webSocketMaxMessageBytes() + " bytes");
        return;
      }
      ctx.fireChannelRead(msg);
    }

    private boolean withinMessageLimit(WebSocketFrame frame) {
      if (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame) {
        state.messageBytes = 0;
      } else if (!(frame instanceof ContinuationWebSocketFrame)) {
        return true;
      }
      state.messageBytes += frame.content().readableBytes();
      if (state.messageBytes > limits.webSocketMaxMessageBytes()) return false;
      if (frame.isFinalFragment()) state.messageBytes = 0;
      return true;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      if (msg instanceof HttpResponse response && response.status().code() >= 200) state.responseStarted = true;
      if (msg instanceof HttpResponse response && response.status().code() == 101) {
        // Upgraded to a WebSocket: no more requests, so no more header deadline.
        state.phase = Phase.WEBSOCKET;
        state.cancelDeadline();
        if (ctx.pipeline().get(REQUEST_START) != null) ctx.pipeline().remove(REQUEST_START);
      }
      ctx.write(msg, promise);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (state.phase == Phase.WEBSOCKET || state.phase == Phase.CLOSING) {
        for (Throwable c = cause; c != null; c = c.getCause()) {
          if (c instanceof CorruptedWebSocketFrameException corrupted) {
            closeWebSocket(ctx, corrupted.closeStatus(), corrupted.getMessage());
            return;
          }
          if (c instanceof DecompressionException) {
            // The bound above stopped the inflater: the message is over the limit (or not deflate data at all).
            boolean tooBig = String.valueOf(c.getMessage()).contains("maximum size");
            closeWebSocket(ctx, tooBig ? WebSocketCloseStatus.MESSAGE_TOO_BIG : WebSocketCloseStatus.INVALID_PAYLOAD_DATA,
                tooBig ? "message exceeds " + limits.webSocketMaxMessageBytes() + " bytes" : "bad compressed data");
            return;
          }
        }
      }
      ctx.fireExceptionCaught(cause);
    }

    /** Ends the socket the way RFC 6455 asks: a close frame naming why, then the TCP connection. */
    private void closeWebSocket(ChannelHandlerContext ctx, WebSocketCloseStatus status, String reason) {
      if (state.phase == Phase.CLOSING) return;
      state.phase = Phase.CLOSING;
      String text = reason == null ? status.reasonText() : reason.length() > 100 ? reason.substring(0, 100) : reason;
      // ctx.close(), not channel().close(): the latter would pass through Vert.x's handler, which starts a
      // closing handshake of its own and keeps the connection until the peer answers or 10 s pass.
      ctx.writeAndFlush(new CloseWebSocketFrame(status, text)).addListener(f -> ctx.close());
    }

    /**
     * Answers a request Vert.x cannot be given with a 400 problem, then closes the connection: what
     * follows on it cannot be trusted. (A request line with another HTTP version is a malformed HTTP/1.1
     * request on this port, so a 4xx rather than 505: no valid HTTP/2 or HTTP/3 request looks like it.)
     */
    private void refuse(ChannelHandlerContext ctx, String detail) {
      state.phase = Phase.CLOSING;
      byte[] body = problem(ErrorCode.BAD_REQUEST, detail);
      FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
          HttpResponseStatus.BAD_REQUEST, Unpooled.wrappedBuffer(body));
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, Problems.CONTENT_TYPE)
          .set(HttpHeaderNames.CONTENT_LENGTH, body.length)
          .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(response).addListener(f -> ctx.close());
    }
  }

  private static byte[] problem(ErrorCode code, String detail) {
    return Problems.body(new ApiException(code, detail)).encode().getBytes(StandardCharsets.UTF_8);
  }
}
