package dev.systemtables.push;

import dev.systemtables.auth.Caller;
import dev.systemtables.auth.TokenVerifier;
import dev.systemtables.common.ErrorCode;
import dev.systemtables.http.Problems;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.sockjs.BridgeEvent;
import io.vertx.ext.web.handler.sockjs.SockJSBridgeOptions;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The SockJS event-bus bridge at {@code /eventbus} (raw WebSocket at {@code /eventbus/websocket}),
 * speaking the protocol of the official {@code @vertx/eventbus-bridge-client.js}.
 *
 * <p>Outbound only: browsers may register for the addresses of {@link BrowserAddresses} and
 * nothing else, and may never send or publish. A register must carry
 * {@code "headers": {"Authorization": "Bearer <jwt>"}}; the token must be valid and, for an inbox
 * address, its {@code sub} must be the address's user. A refused register gets an {@code err}
 * frame that names the address (so the official client hands it to that handler's callback),
 * then the bridge's own {@code rejected}. A socket is closed when the earliest token it
 * registered with expires, so a browser cannot keep listening on an expired token. Requests the
 * SockJS handler would answer with a 500 or a bodiless error are answered first by {@link SockJsGate}.
 */
public final class PushBridge {

  private static final Logger LOG = LoggerFactory.getLogger(PushBridge.class);
  /** The body of the acknowledgement a socket gets once its register has taken effect. */
  private static final JsonObject REGISTERED_BODY = new JsonObject().put("event", BrowserAddresses.REGISTERED_EVENT);

  private final Vertx vertx;
  private final TokenVerifier tokens;
  private final OriginPolicy origins;
  private final SockJsGate gate;
  /** Per open socket: the addresses registered (or being checked) and the expiry timer. */
  private final Map<SockJSSocket, SocketState> sockets = new ConcurrentHashMap<>();

  public PushBridge(Vertx vertx, TokenVerifier tokens, List<String> allowedOrigins, int messageLimit) {
    this.vertx = vertx;
    this.tokens = tokens;
    this.origins = new OriginPolicy(allowedOrigins);
    this.gate = new SockJsGate(vertx, messageLimit);
  }

  /** Mounts the origin guard and the bridge under {@code /eventbus}. */
  public void mount(Router router) {
    SockJSBridgeOptions options = new SockJSBridgeOptions();
    BrowserAddresses.outbound().forEach(options::addOutboundPermitted);
    // No inbound permits at all: browsers may not send or publish anywhere.
    router.route("/eventbus/*").handler(this::checkOrigin);
    router.route("/eventbus/*").handler(gate::check).handler(gate::checkSendBody).failureHandler(gate::failure);
    router.route("/eventbus/*").subRouter(
        SockJSHandler.create(vertx, new SockJSHandlerOptions()).bridge(options, this::onEvent));
  }

  private void checkOrigin(RoutingContext rc) {
    String origin = rc.request().getHeader("Origin");
    // authority() is the Host header in HTTP/1.1 and :authority in HTTP/2.
    HostAndPort authority = rc.request().authority();
    String host = authority == null ? null
        : authority.port() < 0 ? authority.host() : authority.host() + ":" + authority.port();
    if (origins.allows(origin, host)) {
      rc.next();
    } else {
      Problems.write(rc.response(), ErrorCode.FORBIDDEN, "origin " + origin + " may not open the event bus");
    }
  }

  private void onEvent(BridgeEvent be) {
    switch (be.type()) {
      case REGISTER -> register(be);
      case REGISTERED -> {
        acknowledge(be.socket(), address(be));
        be.complete(true);
      }
      case SEND, PUBLISH -> refuse(be, address(be), "browsers may not send or publish on the event bus");
      case UNREGISTER -> {
        SocketState state = sockets.get(be.socket());
        if (state != null) state.addresses.remove(address(be));
        be.complete(true);
      }
      case SOCKET_ERROR -> {
        // The bridge has dropped the socket's registrations but leaves it open; close it so the client
        // notices and reconnects instead of waiting on a socket that never delivers again.
        be.complete(true);
        be.socket().close();
      }
      case SOCKET_CLOSED -> {
        SocketState state = sockets.remove(be.socket());
        if (state != null && state.expiryTimer != null) vertx.cancelTimer(state.expiryTimer);
        be.complete(true);
      }
      default -> be.complete(true);
    }
  }

  private void register(BridgeEvent be) {
    String address = address(be);
    String malformed = BrowserAddresses.shapeRefusal(address);
    if (malformed != null) {
      refuse(be, address, malformed);
      return;
    }
    SocketState state = sockets.computeIfAbsent(be.socket(), s -> new SocketState());
    // Claimed before the token check completes, so two quick registers of one address cannot both pass.
    if (!state.addresses.add(address)) {
      refuse(be, address, "address is already registered on this socket");
      return;
    }
    tokens.verify(TokenVerifier.bearer(authorization(be.getRawMessage())))
        .onComplete(ar -> {
          String why = ar.succeeded() ? BrowserAddresses.refusal(address, ar.result().sub()) : ar.cause().getMessage();
          if (why == null) {
            closeAtExpiry(be.socket(), state, ar.result());
            be.complete(true);
          } else {
            state.addresses.remove(address);
            refuse(be, address, why);
          }
        });
  }

  private void closeAtExpiry(SockJSSocket socket, SocketState state, Caller caller) {
    Object exp = caller.claims().get("exp");
    if (!(exp instanceof Number n)) return;
    long expiresAt = n.longValue() * 1000;
    if (state.expiresAt != 0 && state.expiresAt <= expiresAt) return;
    state.expiresAt = expiresAt;
    if (state.expiryTimer != null) vertx.cancelTimer(state.expiryTimer);
    long delay = Math.max(1, expiresAt - System.currentTimeMillis());
    state.expiryTimer = vertx.setTimer(delay, id -> {
      LOG.debug("closing an event-bus socket whose token expired");
      socket.close();
    });
  }

  /**
   * Tells this socket alone that its register took effect: the bridge's own protocol has no such answer, so a
   * client could not otherwise know when catching up from REST stops missing anything, or that a register was
   * lost. Sent as a message on the address, so the official client hands it to that address's handler.
   */
  private static void acknowledge(SockJSSocket socket, String address) {
    if (address == null) return;
    socket.write(new JsonObject().put("type", "rec").put("address", address).put("body", REGISTERED_BODY).encode());
  }

  /** Writes an error frame naming the address, then rejects the event. */
  private static void refuse(BridgeEvent be, String address, String why) {
    JsonObject frame = new JsonObject().put("type", "err").put("failureCode", 403)
        .put("failureType", "ACCESS_DENIED").put("message", why);
    if (address != null) frame.put("address", address);
    be.socket().write(frame.encode());
    be.complete(false);
  }

  private static String address(BridgeEvent be) {
    JsonObject raw = be.getRawMessage();
    Object a = raw == null ? null : raw.getValue("address");
    return a instanceof String s ? s : null;
  }

  /** The Authorization header of a frame, matched case-insensitively as HTTP headers are. */
  private static String authorization(JsonObject raw) {
    Object headers = raw == null ? null : raw.getValue("headers");
    if (!(headers instanceof JsonObject h)) return null;
    for (Map.Entry<String, Object> e : h) {
      if ("authorization".equalsIgnoreCase(e.getKey()) && e.getValue() instanceof String s) return s;
    }
    return null;
  }

  private static final class SocketState {
    final Set<String> addresses = ConcurrentHashMap.newKeySet();
    volatile Long expiryTimer;
    volatile long expiresAt;
  }
}
