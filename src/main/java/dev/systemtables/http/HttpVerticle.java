package dev.systemtables.http;

import dev.systemtables.NodeContext;
import dev.systemtables.auth.Caller;
import dev.systemtables.flags.FlagRoutes;
import dev.systemtables.idempotency.IdempotencyFilter;
import dev.systemtables.idempotency.IdempotencyRoutes;
import dev.systemtables.notifications.NotificationRoutes;
import dev.systemtables.ops.Probes;
import dev.systemtables.push.PushBridge;
import dev.systemtables.timer.JobRoutes;
import dev.systemtables.users.UsersRoutes;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP edge, one instance per event loop: authentication, validation, routing to the
 * domains over the event bus, health and metrics. It holds no SQL.
 */
public final class HttpVerticle extends VerticleBase {

  /** How long a stopping server lets in-flight requests finish. */
  private static final long SHUTDOWN_GRACE_SECONDS = 10;

  private final NodeContext node;
  private final Probes probes;
  private HttpServer server;

  public HttpVerticle(NodeContext node, Probes probes) {
    this.node = node;
    this.probes = probes;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    // First: its OPTIONS route must precede the others.
    Edge edge = new Edge(router, node.config().bodyLimitBytes());

    router.get("/health/live").handler(rc -> rc.response()
        .putHeader("Content-Type", "application/json").end(new JsonObject().put("status", "UP").encode()));
    router.get("/health/ready").handler(this::ready);
    router.get("/metrics").handler(PrometheusScrapingHandler.create(node.metrics()));

    Router v1 = Router.router(vertx);
    // Bodies are read only for methods that carry one: a GET with a form content type would make the body
    // handler throw. (A method filter on the route would turn unknown paths into 405s.)
    BodyHandler bodies = BodyHandler.create(false).setBodyLimit(node.config().bodyLimitBytes());
    v1.route().handler(rc -> {
      if (rc.request().method() == HttpMethod.GET || rc.request().method() == HttpMethod.HEAD) {
        rc.next();
      } else {
        bodies.handle(rc);
      }
    });
    List<RequestFilter> filters = new ArrayList<>();
    filters.add(new IdempotencyFilter(vertx, "/api/v1"));
    Api api = new Api(v1, node.tokens(), node.callers(), filters);
    api.route(HttpMethod.GET, "/me", Access.ANY, req -> Future.succeededFuture(Reply.ok(me(req.caller()))));
    new UsersRoutes(vertx, node.callers()).mount(api);
    new IdempotencyRoutes(vertx, node).mount(api);
    new FlagRoutes(vertx, node.flags()).mount(api);
    new JobRoutes(vertx).mount(api);
    new NotificationRoutes(vertx, node).mount(api);
    router.route("/api/v1/*").subRouter(v1);

    EdgeLimits limits = EdgeLimits.from(node.config());
    new PushBridge(vertx, node.tokens(), node.config().allowedOrigins(), limits.webSocketMaxMessageBytes()).mount(router);
    mountBellPage(router);

    edge.routesMounted();

    HttpServerOptions options = limits.serverOptions(node.config().httpPort());
    server = vertx.createHttpServer(options)
        .connectionHandler(new ConnectionGuard(limits, options)::install)
        .invalidRequestHandler(Edge::invalidRequest)
        .requestHandler(edge);
    return server.listen();
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.shutdown(SHUTDOWN_GRACE_SECONDS, TimeUnit.SECONDS);
  }

  /**
   * The bell page ({@code GET /} and its assets from {@code webroot/}). The policy allows only this
   * origin's own scripts, styles and sockets, so even a slip in the page could not run injected script.
   */
  private static void mountBellPage(Router router) {
    // A prefix route serves paths relative to its prefix: /assets/x is webroot/assets/x.
    // UTF-8 whatever the JVM's default charset (java -jar without LANG would serve the page as US-ASCII).
    router.get("/").handler(BellPage::headers).handler(StaticHandler.create("webroot").setIndexPage("index.html")
        .setDefaultContentEncoding("UTF-8"));
    router.get("/assets/*").handler(BellPage::headers).handler(StaticHandler.create("webroot/assets")
        .setDefaultContentEncoding("UTF-8"));
  }

  private void ready(RoutingContext rc) {
    probes.readiness().onComplete(ar -> {
      JsonObject body = ar.succeeded() ? ar.result() : new JsonObject().put("status", "DOWN");
      rc.response().setStatusCode("UP".equals(body.getString("status")) ? 200 : 503)
          .putHeader("Content-Type", "application/json").end(body.encode());
    });
  }

  private static JsonObject me(Caller caller) {
    return new JsonObject().put("sub", caller.sub()).put("role", caller.role().name())
        .put("brandId", caller.brandId()).put("creatorId", caller.creatorId());
  }
}
