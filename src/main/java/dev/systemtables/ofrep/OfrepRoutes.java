package dev.systemtables.ofrep;

import dev.systemtables.NodeContext;
import dev.systemtables.auth.Caller;
import dev.systemtables.auth.TokenVerifier;
import dev.systemtables.common.ApiException;
import dev.systemtables.common.ErrorCode;
import dev.systemtables.common.Failures;
import dev.systemtables.common.RateLimiter;
import dev.systemtables.flags.FlagSnapshots;
import dev.systemtables.users.CallerRecorder;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;

/**
 * The OpenFeature Remote Evaluation Protocol (OFREP 0.3.0), so any OpenFeature SDK with an OFREP provider reads
 * this service's flags:
 * <ul>
 *   <li>{@code POST /ofrep/v1/evaluate/flags/{key}} (server providers) → 200
 *   {@code {"key", "value", "variant", "reason", "metadata": {}}}, or 404 {@code FLAG_NOT_FOUND};</li>
 *   <li>{@code POST /ofrep/v1/evaluate/flags} (web providers) → 200 {@code {"flags": [...], "metadata": {}}} with
 *   an {@code ETag}; a request whose {@code If-None-Match} holds it gets 304 with no body.</li>
 * </ul>
 * Like the REST evaluation endpoints, it answers from the node's in-memory {@link FlagSnapshots}: no event-bus hop,
 * no PostgreSQL. The token is a bearer JWT ({@link TokenVerifier}); who is evaluated is {@link OfrepContext}'s rule.
 * Each call counts against {@code rateLimits.ofrepEvaluationsPerMinute} per caller (429 with {@code Retry-After} in
 * seconds). Every answer under {@code /ofrep} with a body is JSON; errors are
 * {@code {"key", "errorCode", "errorDetails", "metadata": {}}} ({@code key} only where a flag was named), never a
 * problem document, because the providers read these members.
 */
public final class OfrepRoutes {

  /** The bulk endpoint; the single one is below it. */
  public static final String FLAGS = "/ofrep/v1/evaluate/flags";

  private static final String JSON = "application/json";
  private static final JsonObject NO_METADATA = new JsonObject();

  private final TokenVerifier tokens;
  private final CallerRecorder callers;
  private final FlagSnapshots flags;
  private final RateLimiter limiter;
  private final int perMinute;
  private final long bodyLimitBytes;

  public OfrepRoutes(TokenVerifier tokens, CallerRecorder callers, FlagSnapshots flags, RateLimiter limiter,
                     int perMinute, long bodyLimitBytes) {
    this.tokens = tokens;
    this.callers = callers;
    this.flags = flags;
    this.limiter = limiter;
    this.perMinute = perMinute;
    this.bodyLimitBytes = bodyLimitBytes;
  }

  /** The node's endpoints: its tokens, directory, snapshot, rate limiter and {@code rateLimits} settings. */
  public static OfrepRoutes of(NodeContext node) {
    int perMinute = node.config().section("rateLimits").getInteger("ofrepEvaluationsPerMinute", 6000);
    return new OfrepRoutes(node.tokens(), node.callers(), node.flags(), node.rateLimiter(), perMinute,
        node.config().bodyLimitBytes());
  }

  public void mount(Router router) {
    BodyHandler bodies = BodyHandler.create(false).setBodyLimit(bodyLimitBytes);
    router.post(FLAGS + "/:key")
        .handler(rc -> precheck(rc, bodies, rc.pathParam("key")))
        .handler(this::single)
        .failureHandler(rc -> failed(rc, rc.pathParam("key")));
    router.post(FLAGS)
        .handler(rc -> precheck(rc, bodies, null))
        .handler(this::bulk)
        .failureHandler(rc -> failed(rc, null));
    // Anything else under /ofrep (another method, a key holding '/', an endpoint not served) still answers in
    // OFREP's shape rather than as a problem document.
    router.route("/ofrep/*").handler(this::elsewhere);
  }

  // ---- the endpoints ----

  private void single(RoutingContext rc) {
    String key = rc.pathParam("key");
    caller(rc)
        .map(caller -> OfrepEvaluations.one(flags.current(), key, OfrepContext.read(body(rc), caller)))
        .onSuccess(result -> write(rc.response(), 200, result.encode()))
        .onFailure(t -> error(rc.response(), key, t));
  }

  private void bulk(RoutingContext rc) {
    caller(rc)
        .map(caller -> OfrepEvaluations.all(flags.current(), OfrepContext.read(body(rc), caller)).encode())
        .onSuccess(body -> {
          String etag = etag(body);
          HttpServerResponse response = rc.response().putHeader(HttpHeaders.ETAG, etag);
          if (matches(rc.request().getHeader(HttpHeaders.IF_NONE_MATCH), etag)) {
            response.setStatusCode(304).end();
          } else {
            write(response, 200, body);
          }
        })
        .onFailure(t -> error(rc.response(), null, t));
  }

  private void elsewhere(RoutingContext rc) {
    String path = rc.request().path();
    if (path.startsWith(FLAGS + "/") && rc.request().method() == HttpMethod.POST) {
      // A key with a '/' in it: no flag name holds one.
      error(rc.response(), path.substring(FLAGS.length() + 1), OfrepError.notFound(path.substring(FLAGS.length() + 1)));
      return;
    }
    boolean routed = path.equals(FLAGS) || path.startsWith(FLAGS + "/");
    if (!routed) {
      error(rc.response(), null, new OfrepError(404, OfrepError.GENERAL, "no OFREP endpoint at " + path));
      return;
    }
    rc.response().putHeader(HttpHeaders.ALLOW, "POST");
    if (rc.request().method() == HttpMethod.OPTIONS) {
      rc.response().setStatusCode(204).end();
      return;
    }
    error(rc.response(), null, new OfrepError(405, OfrepError.GENERAL,
        rc.request().method().name() + " is not allowed on " + path + ": OFREP evaluations are POST"));
  }

  /** Whether a request path is this endpoint's (so its errors are written in OFREP's shape). */
  public static boolean owns(String path) {
    return path != null && (path.equals("/ofrep") || path.startsWith("/ofrep/"));
  }

  /**
   * A request the HTTP edge refuses before routing (e.g. a malformed %-escape in its URL), answered as OFREP's 400
   * {@code PARSE_ERROR}.
   */
  public static void refuse(HttpServerResponse response, String details) {
    error(response, null, OfrepError.badRequest(OfrepError.PARSE_ERROR, details));
  }

  // ---- the request ----

  /**
   * Form bodies are refused before the body handler, which would decode them as form fields (and keep no JSON):
   * {@code curl -d} sends that content type unless told otherwise. No content type, or any other, is read as JSON.
   */
  private void precheck(RoutingContext rc, BodyHandler bodies, String key) {
    String type = rc.request().getHeader(HttpHeaders.CONTENT_TYPE);
    if (type != null) {
      String t = type.toLowerCase(Locale.ROOT).trim();
      if (t.startsWith("application/x-www-form-urlencoded") || t.startsWith("multipart/")) {
        error(rc.response(), key, new OfrepError(415, OfrepError.PARSE_ERROR,
            "the body must be JSON (Content-Type: application/json), not " + t.split(";")[0].trim()));
        return;
      }
    }
    bodies.handle(rc);
  }

  /** The verified caller, counted against the rate limit and recorded in the users directory. */
  private Future<Caller> caller(RoutingContext rc) {
    String token = TokenVerifier.bearer(rc.request().getHeader(HttpHeaders.AUTHORIZATION));
    return tokens.verify(token)
        .compose(caller -> (perMinute > 0 ? limiter.hit("ofrep", caller.sub(), perMinute, Duration.ofMinutes(1))
            : Future.<Void>succeededFuture()).map(caller))
        .compose(caller -> callers.record(caller).map(caller));
  }

  private static byte[] body(RoutingContext rc) {
    return rc.body() == null || rc.body().buffer() == null ? new byte[0] : rc.body().buffer().getBytes();
  }

  // ---- the answers ----

  private static void write(HttpServerResponse response, int status, String body) {
    if (response.ended()) return;
    response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(body);
  }

  /** Failures of the route itself: the body limit (413), a body the framework could not read, a bug. */
  private void failed(RoutingContext rc, String key) {
    Throwable failure = rc.failure();
    if (failure == null) {
      int status = rc.statusCode() < 400 ? 500 : rc.statusCode();
      String details = status == 413 ? "the body exceeds " + bodyLimitBytes + " bytes" : "the request could not be read";
      failure = new OfrepError(status, status == 400 ? OfrepError.PARSE_ERROR : OfrepError.GENERAL, details);
    }
    error(rc.response(), key, failure);
  }

  /**
   * An error in OFREP's shape. Failures from elsewhere keep their status: 401 for a bad token, 429 with
   * {@code Retry-After} in seconds, 503, and 500 for a bug (with the {@code correlationId} of its log line).
   */
  static void error(HttpServerResponse response, String key, Throwable t) {
    if (response.ended()) return;
    JsonObject body = new JsonObject();
    if (key != null) body.put("key", key);
    if (t instanceof OfrepError e) {
      response.setStatusCode(e.status());
      body.put("errorCode", e.errorCode()).put("errorDetails", e.details());
    } else {
      ApiException api = Failures.toApi(t);
      int status = api.code().status();
      response.setStatusCode(status);
      body.put("errorCode", api.code() == ErrorCode.VALIDATION_FAILED || api.code() == ErrorCode.MALFORMED_JSON
          ? OfrepError.PARSE_ERROR : OfrepError.GENERAL).put("errorDetails", api.detail());
      Object retryAfter = api.extra().getValue("retryAfterSeconds");
      if (retryAfter != null) response.putHeader(HttpHeaders.RETRY_AFTER, String.valueOf(retryAfter));
      Object correlation = api.extra().getValue("correlationId");
      if (correlation != null) body.put("correlationId", correlation);
    }
    body.put("metadata", NO_METADATA);
    response.putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(body.encode());
  }

  // ---- ETags ----

  /** A strong validator of exactly these bytes: the same flags and answers give the same tag on every node. */
  static String etag(String body) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(body.getBytes(StandardCharsets.UTF_8));
      return "\"" + Base64.getUrlEncoder().withoutPadding().encodeToString(digest).substring(0, 27) + "\"";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }

  /**
   * Whether an {@code If-None-Match} value matches (RFC 9110 §13.1.2: {@code *}, or a comma list of tags compared
   * weakly, so {@code W/"x"} matches {@code "x"}).
   */
  static boolean matches(String ifNoneMatch, String etag) {
    if (ifNoneMatch == null || ifNoneMatch.isBlank()) return false;
    for (String candidate : ifNoneMatch.split(",")) {
      String c = candidate.trim();
      if (c.equals("*")) return true;
      if (c.startsWith("W/")) c = c.substring(2);
      if (c.equals(etag)) return true;
    }
    return false;
  }
}
