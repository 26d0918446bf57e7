package dev.systemtables.http;

import dev.systemtables.Domains;
import dev.systemtables.NodeContext;
import dev.systemtables.auth.Caller;
import dev.systemtables.common.ErrorCode;
import dev.systemtables.flags.FlagRoutes;
import dev.systemtables.idempotency.IdempotencyFilter;
import dev.systemtables.idempotency.IdempotencyRoutes;
import dev.systemtables.notifications.NotificationRoutes;
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
  private Router router;

  public HttpVerticle(NodeContext node, Probes probes) {
    this.node = node;
    this.probes = probes;
  }

  @Override
  public Future<?> start() {
    router = Router.router(vertx);

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
    new PushBridge(vertx, node.tokens(), node.config().allowedOrigins()).mount(router);
    mountBellPage(router);
    ApiDocs.mount(router);
    AdminConsole.mount(router);

    router.errorHandler(400, rc -> Problems.write(rc.response(), rc.failure() != null ? rc.failure()
        : new dev.systemtables.common.ApiException(ErrorCode.VALIDATION_FAILED, "bad request")));
    router.errorHandler(404, rc -> Problems.write(rc.response(), ErrorCode.NOT_FOUND,
        "no resource at " + rc.request().method() + " " + rc.request().path()));
    router.errorHandler(405, rc -> Problems.write(rc.response(), ErrorCode.METHOD_NOT_ALLOWED,
        rc.request().method() + " is not allowed on " + rc.request().path()));
    router.errorHandler(413, rc -> Problems.write(rc.response(), ErrorCode.PAYLOAD_TOO_LARGE,
        "body exceeds " + node.config().bodyLimitBytes() + " bytes"));
    router.errorHandler(500, this::internalError);

    server = vertx.createHttpServer(new HttpServerOptions().setPort(node.config().httpPort())
        // h2c upgrades would end in-flight streams with GOAWAY on shutdown; HTTP/1.1 drains cleanly.
        .setHttp2ClearTextEnabled(false))
        .requestHandler(router);
    return contract.ready().compose(x -> server.listen());
  }

  /** The routes this verticle serves (once started): the contract test compares them with openapi.yaml. */
  public Router router() {
    return router;
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
    router.get("/").handler(BellPage::headers).handler(StaticHandler.create("webroot").setIndexPage("index.html"));
    router.get("/assets/*").handler(BellPage::headers).handler(StaticHandler.create("webroot/assets"));
  }

  private void internalError(RoutingContext rc) {
    Throwable failure = rc.failure();
    Problems.write(rc.response(), failure != null ? failure
        : new dev.systemtables.common.ApiException(ErrorCode.INTERNAL, "internal error"));
  }

  private static JsonObject me(Caller caller) {
    return new JsonObject().put("sub", caller.sub()).put("role", caller.role().name())
        .put("brandId", caller.brandId()).put("creatorId", caller.creatorId());
  }
}
