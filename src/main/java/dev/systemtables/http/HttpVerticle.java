package dev.systemtables.http;

import dev.systemtables.Domains;
import dev.systemtables.NodeContext;
import dev.systemtables.auth.Caller;
import dev.systemtables.flags.FlagRoutes;
import dev.systemtables.idempotency.IdempotencyFilter;
import dev.systemtables.idempotency.IdempotencyRoutes;
import dev.systemtables.notifications.NotificationRoutes;
import dev.systemtables.ofrep.OfrepRoutes;
import dev.systemtables.openapi.ContractValidation;
import dev.systemtables.ops.Probes;
import dev.systemtables.push.PushBridge;
import dev.systemtables.timer.JobRoutes;
import dev.systemtables.trpc.TrpcEndpoint;
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
  private Future<Void> closed;
  private Router router;

  public HttpVerticle(NodeContext node, Probes probes) {
    this.node = node;
    this.probes = probes;
  }

  @Override
  public Future<?> start() {
    router = Router.router(vertx);
    // Problems for every error status, OPTIONS and HEAD where no route answers them.
    Edge edge = new Edge(router, node.config().bodyLimitBytes());

    router.get("/health/live").handler(probes.liveness(vertx));
    router.get("/health/ready").handler(probes.readiness(vertx));
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
    Domains domains = node.domains();
    // Contract first: a request the contract refuses never claims an Idempotency-Key.
    ContractValidation contract = new ContractValidation(vertx, "/api/v1");
    List<RequestFilter> filters = List.of(contract, new IdempotencyFilter(domains.idempotency(), "/api/v1"));
    Api api = new Api(v1, node.tokens(), node.callers(), filters);
    api.route(HttpMethod.GET, "/me", Access.ANY, req -> Future.succeededFuture(Reply.ok(me(req.caller()))));
    new UsersRoutes(domains.users(), node.callers()).mount(api);
    new IdempotencyRoutes(domains.idempotency()).mount(api);
    new FlagRoutes(domains.flags(), node.flags()).mount(api);
    new JobRoutes(domains.jobs()).mount(api);
    new NotificationRoutes(domains.notifications()).mount(api);
    router.route("/api/v1/*").subRouter(v1);

    // tRPC's HTTP protocol for the original TypeScript module's clients; it answers its own errors as tRPC envelopes.
    TrpcEndpoint.of(node).mount(router);
    // OpenFeature's remote evaluation protocol for the OpenFeature SDKs; it answers its own errors in OFREP's shape.
    OfrepRoutes.of(node).mount(router);
    EdgeLimits limits = EdgeLimits.from(node.config());
    new PushBridge(vertx, node.tokens(), node.config().allowedOrigins(), limits.webSocketMaxMessageBytes()).mount(router);
    mountBellPage(router);
    ApiDocs.mount(router);
    AdminConsole.mount(router);

    HttpServerOptions options = limits.serverOptions(node.config().httpPort());
    server = vertx.createHttpServer(options)
        .connectionHandler(new ConnectionGuard(limits, options)::install)
        .invalidRequestHandler(Edge::invalidRequest)
        .requestHandler(edge);
    return contract.ready().compose(x -> server.listen());
  }

  /** The routes this verticle serves (once started): the contract test compares them with openapi.yaml. */
  public Router router() {
    return router;
  }

  @Override
  public Future<?> stop() {
    return closeServer();
  }

  /**
   * Stops accepting and lets in-flight requests finish (at most {@value #SHUTDOWN_GRACE_SECONDS} s), while
   * this verticle is still deployed: undeploying it closes what it registered on its context, the reply
   * handlers of its pending domain calls included, so a request still waiting on its domain would never
   * get the answer. {@link dev.systemtables.Application#shutdown()} therefore calls this before undeploying.
   */
  public synchronized Future<Void> closeServer() {
    if (closed == null) {
      closed = server == null ? Future.succeededFuture() : server.shutdown(SHUTDOWN_GRACE_SECONDS, TimeUnit.SECONDS);
    }
    return closed;
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

  private static JsonObject me(Caller caller) {
    return new JsonObject().put("sub", caller.sub()).put("role", caller.role().name())
        .put("brandId", caller.brandId()).put("creatorId", caller.creatorId());
  }
}
