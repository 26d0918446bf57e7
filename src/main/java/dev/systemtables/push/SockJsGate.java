package dev.systemtables.push;

import dev.systemtables.common.ApiException;
import dev.systemtables.common.ErrorCode;
import dev.systemtables.common.StrictJson;
import dev.systemtables.http.Problems;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks a request to the SockJS bridge before vertx-web's SockJS handler sees it. That handler assumes
 * a well-behaved SockJS client: it needs a body handler it does not install (without one every
 * {@code xhr_send} is a 500), and it answers a missing JSONP callback, an empty or broken send body, or a
 * wrong content type with a 500 and plain text, an unknown session with an empty 404, a plain GET of a
 * WebSocket endpoint with a text 400. Each of those is decided here instead, as a 4xx problem naming
 * the part at fault, and valid requests pass unchanged:
 * <ul>
 *   <li>{@code xhr_send} / {@code jsonp_send}: the session must be open (404), the body is read up to the
 *   bridge's message limit (413) and must be SockJS frames: a JSON array of strings (400); a
 *   {@code jsonp_send} must be {@code text/plain} or form-encoded (415), as {@code d=<frames>};</li>
 *   <li>{@code jsonp} / {@code htmlfile}: a callback ({@code c} or {@code callback}) of 1-32 letters,
 *   digits, {@code _ - .} (400);</li>
 *   <li>WebSocket endpoints: only a GET that asks for the upgrade (400); every transport: only its
 *   methods (405 with {@code Allow}).</li>
 * </ul>
 */
final class SockJsGate {

  /** {@code /eventbus/<server>/<session>/<transport>}, as SockJS names its session URLs. */
  private static final Pattern SESSION_URL = Pattern.compile("/eventbus/[^/.]+/([^/.]+)/([^/]+)");
  private static final Pattern CALLBACK = Pattern.compile("[A-Za-z0-9_.-]{1,32}");

  /** Methods per transport; SockJS answers OPTIONS itself for the XHR transports (CORS preflight). */
  private static final Map<String, String> ALLOW = Map.of(
      "websocket", "GET",
      "xhr", "POST, OPTIONS",
      "xhr_streaming", "POST, OPTIONS",
      "xhr_send", "POST, OPTIONS",
      "jsonp", "GET",
      "jsonp_send", "POST",
      "htmlfile", "GET",
      "eventsource", "GET");

  /** vertx-web keeps its SockJS sessions in this node-local map (SockJSImpl); read here, never written. */
  private static final String SESSIONS_MAP = "_vertx.sockjssessions";

  private final LocalMap<String, Object> sessions;
  private final int messageLimit;
  private final BodyHandler bodies;

  SockJsGate(Vertx vertx, int messageLimit) {
    this.sessions = vertx.sharedData().getLocalMap(SESSIONS_MAP);
    this.messageLimit = messageLimit;
    this.bodies = BodyHandler.create(false).setBodyLimit(messageLimit);
  }

  /** The request line's checks; reads the body of a send. */
  void check(RoutingContext rc) {
    String path = path(rc);
    if (path.equals("/eventbus/websocket")) {
      webSocket(rc);
      return;
    }
    Matcher m = SESSION_URL.matcher(path);
    if (!m.matches()) {
      rc.next();
      return;
    }
    String transport = m.group(2).startsWith("htmlfile") ? "htmlfile" : m.group(2);
    String allow = ALLOW.get(transport);
    if (allow == null) {
      rc.next();
      return;
    }
    HttpMethod method = rc.request().method();
    if (method == HttpMethod.OPTIONS && !allow.contains("OPTIONS")) {
      rc.response().setStatusCode(204).putHeader(HttpHeaders.ALLOW, allow + ", OPTIONS").end();
      return;
    }
    if (!java.util.List.of(allow.split(", ")).contains(method.name())) {
      rc.response().putHeader(HttpHeaders.ALLOW, allow);
      Problems.write(rc.response(), ErrorCode.METHOD_NOT_ALLOWED, method.name() + " is not allowed on the "
          + transport + " transport");
      return;
    }
    switch (transport) {
      case "websocket" -> webSocket(rc);
      case "jsonp", "htmlfile" -> {
        String callback = rc.request().getParam("callback");
        if (callback == null) callback = rc.request().getParam("c");
        if (callback == null || !CALLBACK.matcher(callback).matches()) {
          Problems.write(rc.response(), ErrorCode.VALIDATION_FAILED,
              "callback (or c) is required: 1-32 letters, digits, '_', '-' or '.'");
        } else {
          rc.next();
        }
      }
      case "xhr_send", "jsonp_send" -> {
        if (method != HttpMethod.POST) {
          rc.next();
        } else if (!sessions.containsKey(m.group(1))) {
          Problems.write(rc.response(), ErrorCode.NOT_FOUND, "no open SockJS session " + m.group(1)
              + ": open one with a receiving transport first");
        } else if (transport.equals("jsonp_send") && form(rc) == null) {
          Problems.write(rc.response(), ErrorCode.UNSUPPORTED_MEDIA_TYPE,
              "jsonp_send takes Content-Type text/plain or application/x-www-form-urlencoded");
        } else {
          bodies.handle(rc);
        }
      }
      default -> rc.next();
    }
  }

  /** After the body was read: a send's body must hold SockJS frames (a JSON array of strings). */
  void checkSendBody(RoutingContext rc) {
    Matcher m = SESSION_URL.matcher(path(rc));
    if (rc.request().method() != HttpMethod.POST || !m.matches()
        || !(m.group(2).equals("xhr_send") || m.group(2).equals("jsonp_send"))) {
      rc.next();
      return;
    }
    String body = rc.body() == null || rc.body().buffer() == null ? "" : rc.body().asString();
    String frames = body;
    if (m.group(2).equals("jsonp_send") && Boolean.TRUE.equals(form(rc))) {
      if (!body.startsWith("d=")) {
        Problems.write(rc.response(), ErrorCode.VALIDATION_FAILED, "body must be d=<SockJS frames>");
        return;
      }
      try {
        frames = URLDecoder.decode(body.substring(2), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        Problems.write(rc.response(), ErrorCode.VALIDATION_FAILED, "body has a malformed %-escape");
        return;
      }
    }
    String problem = framesProblem(frames);
    if (problem != null) {
      Problems.write(rc.response(), ErrorCode.VALIDATION_FAILED, problem);
    } else {
      rc.next();
    }
  }

  /** Failures while reading a send's body: over the message limit, or a form body that does not decode. */
  void failure(RoutingContext rc) {
    if (rc.statusCode() == 413) {
      Problems.write(rc.response(), ErrorCode.PAYLOAD_TOO_LARGE, "body exceeds the bridge's message limit of "
          + messageLimit + " bytes");
    } else if (rc.statusCode() == 400 && rc.failure() != null && !(rc.failure() instanceof ApiException)) {
      Problems.write(rc.response(), ErrorCode.VALIDATION_FAILED, "body is not valid "
          + rc.request().getHeader(HttpHeaders.CONTENT_TYPE) + " (a malformed %-escape?)");
    } else {
      rc.next();
    }
  }

  /**
   * The path as SockJS's routes see it: normalised ("/x/../eventbus/…" and "//eventbus/…" reach them
   * too) and without a trailing slash (its patterns match "…/htmlfile/" as well).
   */
  private static String path(RoutingContext rc) {
    String p = rc.normalizedPath();
    return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
  }

  private static String framesProblem(String frames) {
    if (frames.isBlank()) return "body is required: SockJS frames, a JSON array of strings";
    Object parsed;
    try {
      parsed = StrictJson.parse(frames);
    } catch (StrictJson.Invalid e) {
      return e.describe("body");
    }
    if (parsed instanceof String) return null;
    if (parsed instanceof JsonArray a && a.stream().allMatch(String.class::isInstance)) return null;
    return "body must be SockJS frames: a JSON array of strings";
  }

  /** True for a form-encoded body, false for text/plain, null for anything else. */
  private static Boolean form(RoutingContext rc) {
    String type = rc.request().getHeader(HttpHeaders.CONTENT_TYPE);
    if (type == null) return null;
    String t = type.split(";")[0].trim().toLowerCase(Locale.ROOT);
    if (t.equals("application/x-www-form-urlencoded")) return true;
    if (t.equals("text/plain")) return false;
    return null;
  }

  private static void webSocket(RoutingContext rc) {
    if (rc.request().method() != HttpMethod.GET) {
      rc.response().putHeader(HttpHeaders.ALLOW, "GET");
      Problems.write(rc.response(), ErrorCode.METHOD_NOT_ALLOWED, rc.request().method().name()
          + " is not allowed on a WebSocket endpoint");
    } else if (!rc.request().canUpgradeToWebSocket()) {
      Problems.write(rc.response(), ErrorCode.BAD_REQUEST,
          "this endpoint only accepts a WebSocket upgrade (Connection: Upgrade, Upgrade: websocket)");
    } else if (!"13".equals(rc.request().getHeader("Sec-WebSocket-Version"))) {
      // RFC 6455 §4.4; Vert.x would answer with an empty 426.
      rc.response().putHeader("Sec-WebSocket-Version", "13");
      Problems.write(rc.response(), ErrorCode.UPGRADE_REQUIRED, "Sec-WebSocket-Version must be 13");
    } else if (!validKey(rc.request().getHeader("Sec-WebSocket-Key"))) {
      Problems.write(rc.response(), ErrorCode.BAD_REQUEST,
          "Sec-WebSocket-Key must be 16 random bytes in base64 (RFC 6455 §4.1)");
    } else {
      rc.next();
    }
  }

  private static boolean validKey(String key) {
    if (key == null) return false;
    try {
      return java.util.Base64.getDecoder().decode(key.trim()).length == 16;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
