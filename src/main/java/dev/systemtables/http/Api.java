package dev.systemtables.http;

import dev.systemtables.auth.Caller;
import dev.systemtables.auth.TokenVerifier;
import dev.systemtables.common.ApiException;
import dev.systemtables.common.ErrorCode;
import dev.systemtables.users.CallerRecorder;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.List;

/**
 * The authenticated API surface under {@code /api/v1}: every route goes through
 * authentication, the role check, caller recording and the request filters, in that order,
 * and every failure becomes a problem response.
 */
public final class Api {

  private final Router router;
  private final TokenVerifier tokens;
  private final CallerRecorder recorder;
  private final List<RequestFilter> filters;

  public Api(Router router, TokenVerifier tokens, CallerRecorder recorder, List<RequestFilter> filters) {
    this.router = router;
    this.tokens = tokens;
    this.recorder = recorder;
    this.filters = List.copyOf(filters);
  }

  /** Registers an endpoint. {@code path} is relative to {@code /api/v1}. */
  public void route(HttpMethod method, String path, Access access, Endpoint endpoint) {
    Endpoint chain = endpoint;
    for (int i = filters.size() - 1; i >= 0; i--) {
      RequestFilter filter = filters.get(i);
      Endpoint next = chain;
      chain = req -> filter.around(req, next);
    }
    Endpoint full = chain;
    router.route(method, path).handler(rc -> authenticate(rc)
        .compose(caller -> access.allows(caller)
            ? recorder.record(caller).map(caller)
            : Future.failedFuture(new ApiException(ErrorCode.FORBIDDEN, "role " + caller.role() + " may not call this")))
        .compose(caller -> {
          try {
            refuseNul(rc);
            return full.handle(new Request(rc, caller));
          } catch (RuntimeException e) {
            return Future.failedFuture(e);
          }
        })
        .onSuccess(reply -> write(rc.response(), reply))
        .onFailure(t -> Problems.write(rc.response(), t)));
  }

  /** PostgreSQL text cannot hold U+0000: a path or query parameter carrying it is a client error, not a 500. */
  private static void refuseNul(RoutingContext rc) {
    rc.pathParams().forEach((name, value) -> {
      if (value.indexOf('\0') >= 0) throw ApiException.validation(name + " must not contain the NUL character");
    });
    rc.queryParams().forEach((name, value) -> {
      if (value.indexOf('\0') >= 0 || name.indexOf('\0') >= 0) {
        throw ApiException.validation(name + " must not contain the NUL character");
      }
    });
  }

  private Future<Caller> authenticate(RoutingContext rc) {
    String token = TokenVerifier.bearer(rc.request().getHeader(HttpHeaders.AUTHORIZATION));
    return tokens.verify(token);
  }

  static void write(HttpServerResponse response, Reply reply) {
    if (response.ended()) return;
    reply.headers().forEach(response::putHeader);
    response.setStatusCode(reply.status());
    if (reply.body() == null) {
      response.end();
    } else {
      if (!reply.headers().containsKey("Content-Type")) {
        response.putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
      }
      response.end(reply.body());
    }
  }
}
