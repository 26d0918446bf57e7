package dev.systemtables.idempotency;

import dev.systemtables.common.ApiException;
import dev.systemtables.common.Check;
import dev.systemtables.common.Failures;
import dev.systemtables.http.Endpoint;
import dev.systemtables.http.Reply;
import dev.systemtables.http.Request;
import dev.systemtables.http.RequestFilter;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;

/**
 * The {@code Idempotency-Key} header on every mutating {@code /api/v1} endpoint (POST, PUT, PATCH,
 * DELETE). With the header, the request is first claimed under the caller's key and its fingerprint
 * ({@link RequestFingerprint}); then:
 * <ul>
 *   <li>claimed: the endpoint runs. A 1xx–3xx reply is stored (status, exact body text, headers);
 *   a 4xx reply or failure releases the claim, so a corrected retry may run; a 5xx or a crash leaves the
 *   claim as it is, since the work may or may not have happened, and a retry takes it over once it is stale;</li>
 *   <li>completed with the same fingerprint: the stored reply comes back byte for byte with
 *   {@code Idempotent-Replayed: true}, and nothing runs;</li>
 *   <li>still processing: 409 {@code IDEMPOTENCY_IN_PROGRESS}; another fingerprint: 422
 *   {@code IDEMPOTENCY_KEY_REUSED}.</li>
 * </ul>
 * Header keys live in the same per-caller key space as the claim API's keys. The claim API itself
 * ignores the header.
 */
public final class IdempotencyFilter implements RequestFilter {

  public static final String REPLAYED_HEADER = "Idempotent-Replayed";

  private static final Logger LOG = LoggerFactory.getLogger(IdempotencyFilter.class);

  private final IdempotencyService idempotency;
  private final String exemptPrefix;

  /** @param apiPrefix where the API is mounted, e.g. {@code /api/v1} */
  public IdempotencyFilter(IdempotencyService idempotency, String apiPrefix) {
    this.idempotency = idempotency;
    this.exemptPrefix = apiPrefix + IdempotencyRoutes.PATH;
  }

  @Override
  public Future<Reply> around(Request req, Endpoint next) {
    String value = req.header(IdempotencyRules.HEADER);
    String method = req.method().name();
    if (value == null || !IdempotencyRules.isMutating(method) || isClaimApi(req.path())) {
      return next.handle(req);
    }
    String key = IdempotencyRules.keyFromHeader(value);
    Check.that(key != null, IdempotencyRules.HEADER + " header is not a valid structured-field string");
    IdempotencyRules.key(IdempotencyRules.HEADER + " header", key);

    String scope = req.caller().sub();
    String fingerprint = RequestFingerprint.of(method, req.context().request().uri(), req.rawBody());
    return idempotency.claimRequest(scope, key, fingerprint).compose(claim -> claim.completed()
        ? Future.succeededFuture(replay(claim.record()))
        : run(req, next, scope, key, claim.record().id()));
  }

  private boolean isClaimApi(String path) {
    return path.equals(exemptPrefix) || path.startsWith(exemptPrefix + "/");
  }

  private Future<Reply> run(Request req, Endpoint next, String scope, String key, String claimId) {
    Future<Reply> outcome;
    try {
      outcome = next.handle(req);
    } catch (RuntimeException e) {
      outcome = Future.failedFuture(e);
    }
    return outcome.transform(ar -> {
      if (ar.succeeded()) {
        Reply reply = ar.result();
        if (reply.status() >= 500) return Future.succeededFuture(reply);
        Future<?> settled = reply.status() >= 400 ? release(scope, key, claimId) : store(scope, key, claimId, reply);
        return settled.transform(x -> Future.succeededFuture(reply));
      }
      ApiException failure = Failures.toApi(ar.cause());
      Future<?> settled = failure.code().status() < 500 ? release(scope, key, claimId) : Future.succeededFuture();
      return settled.transform(x -> Future.<Reply>failedFuture(failure));
    });
  }

  /** Stores the reply; if that fails the caller still gets its answer, and the claim goes stale. */
  private Future<?> store(String scope, String key, String claimId, Reply reply) {
    Map<String, String> headers = new HashMap<>(reply.headers());
    if (reply.body() != null && headers.keySet().stream().noneMatch("Content-Type"::equalsIgnoreCase)) {
      headers.put("Content-Type", "application/json");
    }
    return idempotency.complete(scope, key, Completion.ofResponse(claimId, reply.status(), reply.body(), headers))
        .onFailure(t -> LOG.error("could not store the response for Idempotency-Key '{}' of {}: {}",
            key, scope, t.getMessage()));
  }

  private Future<?> release(String scope, String key, String claimId) {
    return idempotency.release(scope, key, claimId)
        .onFailure(t -> LOG.warn("could not release Idempotency-Key '{}' of {}: {}", key, scope, t.getMessage()));
  }

  private static Reply replay(IdempotencyRecord stored) {
    Map<String, String> headers = new HashMap<>(stored.responseHeaders());
    headers.put(REPLAYED_HEADER, "true");
    String body = stored.responseText() != null ? stored.responseText() : stored.responseJson();
    return new Reply(stored.responseStatus(), body, headers);
  }
}
