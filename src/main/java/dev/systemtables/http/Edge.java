package dev.systemtables.http;

import dev.systemtables.common.ApiException;
import dev.systemtables.common.ErrorCode;
import dev.systemtables.common.Failures;
import dev.systemtables.ofrep.OfrepRoutes;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What every request meets before and after the routes: the checks of the request itself that the
 * router would otherwise turn into a 500 or a bare text page, {@code OPTIONS} and {@code HEAD} for
 * every route that does not answer them itself, and a problem body for every error status, whoever
 * chose it (a route, vertx-web's routing or body reading, the HTTP codec).
 */
public final class Edge implements Handler<HttpServerRequest> {

  private static final String ALL_METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";

  /** Where a handler answers malformed requests in a format of its own (tRPC envelopes, not problems). */
  private static final String OWN_ERRORS = "/api/trpc";

  private final Router router;
  private final RouteTable routes;

  /**
   * Installs the error pages on {@code router}: a problem for every 4xx and 5xx, and for a path that has
   * routes but none for the method, the {@code OPTIONS} answer (its methods) and {@code HEAD} (its GET
   * without the body).
   */
  public Edge(Router router, long bodyLimitBytes) {
    this.router = router;
    this.routes = new RouteTable(router);
    for (int status = 400; status < 600; status++) {
      int s = status;
      router.errorHandler(s, rc -> error(rc, s, bodyLimitBytes));
    }
  }

  /** Checks the request line and Host, then routes. */
  @Override
  public void handle(HttpServerRequest req) {
    String refusal = refusal(req);
    if (refusal != null) {
      if (OfrepRoutes.owns(req.path())) {
        // OFREP providers read their own error shape, not a problem document.
        OfrepRoutes.refuse(req.response(), refusal);
      } else {
        Problems.write(req.response(), ErrorCode.BAD_REQUEST, refusal);
      }
      return;
    }
    if (req.method() == HttpMethod.OPTIONS && "*".equals(req.uri())) {
      // OPTIONS * asks about the server as a whole (RFC 9110 §9.3.7); the router only knows paths.
      req.response().setStatusCode(204).putHeader(HttpHeaders.ALLOW, ALL_METHODS).end();
      return;
    }
    router.handle(req);
  }

  /**
   * Why the request cannot be routed, or null. vertx-web fails a request without a valid Host with an
   * exception (a 500 here before), and decodes %-escapes leniently or with an exception deep in a
   * route; the request target must be visible ASCII (RFC 9112), its %-escapes well-formed and decode to
   * UTF-8, so that no two different targets name the same resource.
   */
  static String refusal(HttpServerRequest req) {
    List<String> hosts = req.headers().getAll(HttpHeaders.HOST);
    if (hosts.size() > 1) return "more than one Host header";
    if (hosts.isEmpty()) {
      // HTTP/1.0 did not have Host; HTTP/1.1 requires it (RFC 9112 §3.2).
      if (req.version() != HttpVersion.HTTP_1_0) return "the Host header is missing";
    } else {
      HostAndPort authority = HostAndPort.parseAuthority(hosts.get(0), -1);
      if (authority == null || hosts.get(0).isEmpty()) return "the Host header is not a valid host[:port]";
    }
    String uri = req.uri();
    if (uri.equals("*")) return req.method() == HttpMethod.OPTIONS ? null : "* is a target for OPTIONS only";
    for (int i = 0; i < uri.length(); i++) {
      char c = uri.charAt(i);
      if (c <= 0x20 || c >= 0x7f) return "the request target holds a character outside visible ASCII";
    }
    String path = req.path();
    // The tRPC endpoint answers malformed URLs itself, as tRPC error envelopes its clients understand.
    if (path != null && (path.equals(OWN_ERRORS) || path.startsWith(OWN_ERRORS + "/"))) return null;
    if (path == null || !percentEncodedUtf8(path)) return "the path has a malformed %-escape or is not UTF-8";
    String query = req.query();
    if (query != null && !percentEncodedUtf8(query)) {
      return "the query string has a malformed %-escape or is not UTF-8";
    }
    return null;
  }

  /** Whether every {@code %} starts two hex digits and the decoded bytes are UTF-8. */
  public static boolean percentEncodedUtf8(String s) {
    if (s.indexOf('%') < 0) return true;
    ByteBuffer bytes = ByteBuffer.allocate(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= s.length()) return false;
        int hi = Character.digit(s.charAt(i + 1), 16);
        int lo = Character.digit(s.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) return false;
        bytes.put((byte) (hi * 16 + lo));
        i += 2;
      } else {
        bytes.put((byte) c);
      }
    }
    bytes.flip();
    try {
      StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes);
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  /**
   * For {@code HttpServer.invalidRequestHandler}: the HTTP codec could not read the request (a line or
   * headers too long, a malformed request line or header). Same statuses as Vert.x's default, with a
   * problem body; the connection is closed after it, since the rest of the stream cannot be trusted.
   */
  public static void invalidRequest(HttpServerRequest req) {
    DecoderResult result = req.decoderResult();
    Throwable cause = result.cause();
    ApiException problem;
    if (cause instanceof TooLongHttpLineException) {
      problem = new ApiException(ErrorCode.URI_TOO_LONG, "the request line is longer than the server reads");
    } else if (cause instanceof TooLongHttpHeaderException) {
      problem = new ApiException(ErrorCode.HEADERS_TOO_LARGE, "the request headers are larger than the server reads");
    } else {
      problem = new ApiException(ErrorCode.BAD_REQUEST, "the request is not valid HTTP/1.1");
    }
    req.response().putHeader(HttpHeaders.CONNECTION, "close");
    Problems.write(req.response(), problem);
    req.connection().close();
  }

  private void error(RoutingContext rc, int status, long bodyLimitBytes) {
    Throwable failure = rc.failure();
    if (failure instanceof ApiException api) {
      Problems.write(rc.response(), api);
      return;
    }
    String path = rc.request().path();
    String method = rc.request().method().name();
    switch (status) {
      case 404 -> Problems.write(rc.response(), ErrorCode.NOT_FOUND, "no resource at " + method + " " + path);
      case 405 -> {
        String allow = routes.allow(rc.normalizedPath());
        if (rc.request().method() == HttpMethod.HEAD && allow != null && allow.startsWith("GET")) {
          // HEAD is the GET without its body (RFC 9110 §9.3.2): routed again as that GET, the response still
          // knows it answers a HEAD and Vert.x sends the status and headers only. Done here rather than by
          // adding HEAD to every route, so the routes stay exactly what the OpenAPI contract lists.
          String query = rc.request().query();
          rc.reroute(HttpMethod.GET, rc.request().path() + (query == null ? "" : "?" + query));
          return;
        }
        if (allow != null) rc.response().putHeader(HttpHeaders.ALLOW, allow);
        if (rc.request().method() == HttpMethod.OPTIONS) {
          // The path exists but no route answers OPTIONS itself (the tRPC endpoint and SockJS's XHR
          // transports do): the answer is the list of its methods.
          rc.response().setStatusCode(204).end();
        } else {
          Problems.write(rc.response(), ErrorCode.METHOD_NOT_ALLOWED, method + " is not allowed on " + path);
        }
      }
      case 413 -> Problems.write(rc.response(), ErrorCode.PAYLOAD_TOO_LARGE, "body exceeds " + bodyLimitBytes + " bytes");
      case 417 -> Problems.write(rc.response(), ErrorCode.EXPECTATION_FAILED,
          "the Expect header asks for something other than 100-continue");
      default -> {
        if (status >= 500) {
          // A failure nobody mapped: classified (and logged with a correlation id) like any other.
          Problems.write(rc.response(), failure != null ? failure : new ApiException(ErrorCode.forStatus(status),
              ErrorCode.forStatus(status).title()));
        } else {
          Problems.write(rc.response(), new ApiException(ErrorCode.forStatus(status), clientError(rc, failure)));
        }
      }
    }
  }

  /**
   * A detail for a 4xx the framework chose, naming the part of the request at fault where it can. The
   * request line and Host were checked before routing, so a failed 400 here comes from reading the body:
   * vertx-web decodes form bodies (curl -d sends JSON as one) and fails on a malformed %-escape.
   */
  private static String clientError(RoutingContext rc, Throwable failure) {
    String type = rc.request().getHeader(HttpHeaders.CONTENT_TYPE);
    if (failure != null && type != null) {
      String t = type.toLowerCase(java.util.Locale.ROOT);
      if (t.startsWith("application/x-www-form-urlencoded") || t.startsWith("multipart/form-data")) {
        return "body is not valid " + t.split(";")[0].trim()
            + " (a malformed %-escape?); send JSON with Content-Type: application/json";
      }
    }
    return "bad request";
  }
}
