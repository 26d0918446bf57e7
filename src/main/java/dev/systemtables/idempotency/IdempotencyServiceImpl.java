package dev.systemtables.idempotency;

import dev.systemtables.common.ApiException;
import dev.systemtables.common.Batches;
import dev.systemtables.common.ErrorCode;
import dev.systemtables.common.Ids;
import dev.systemtables.common.RateLimiter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;

import java.time.Duration;

/**
 * The idempotency operations. Every race is decided by PostgreSQL in one statement (see
 * {@link IdempotencyStore}); this class only turns a claim that found a live record into its answer.
 */
final class IdempotencyServiceImpl implements IdempotencyService {

  /** The entity type recorded for claims made by the {@code Idempotency-Key} header. */
  static final String HEADER_ENTITY_TYPE = "http-request";
  static final String RATE_BUCKET = "idempotency-claims";
  /** A claim that finds a record turning claimable between its two statements tries again, this often. */
  private static final int CLAIM_ATTEMPTS = 3;

  /** Lifetimes and the claim API's rate limit, from the configuration. */
  record Settings(int ttlHours, long staleAfterSeconds, int claimsPerHour) {
    Settings {
      if (ttlHours < 1) throw new IllegalArgumentException("idempotency.ttlHours must be at least 1");
      if (staleAfterSeconds < 1) throw new IllegalArgumentException("idempotency.staleAfterSeconds must be at least 1");
    }
  }

  private final IdempotencyStore store;
  private final RateLimiter limiter;
  private final Settings settings;
  private final Counter claimed;
  private final Counter takenOver;
  private final Counter replayed;
  private final Counter inProgress;
  private final Counter keyReused;

  IdempotencyServiceImpl(IdempotencyStore store, RateLimiter limiter, Settings settings, MeterRegistry metrics) {
    this.store = store;
    this.limiter = limiter;
    this.settings = settings;
    this.claimed = counter(metrics, "claimed");
    this.takenOver = counter(metrics, "taken_over");
    this.replayed = counter(metrics, "replayed");
    this.inProgress = counter(metrics, "in_progress");
    this.keyReused = counter(metrics, "key_reused");
  }

  private static Counter counter(MeterRegistry metrics, String outcome) {
    return Counter.builder("idempotency_claims").description("Idempotency claims by outcome")
        .tag("outcome", outcome).register(metrics);
  }

  @Override
  public Future<IdempotencyRecord> lookup(String scope, String key) {
    return store.find(scope, key, "", settings.staleAfterSeconds()).map(found -> {
      if (found == null || found.expired()) return null;
      if (found.record().processed()) return found.record();
      if (found.stale()) return null;
      throw inProgress(key);
    });
  }

  @Override
  public Future<ClaimOutcome> claim(String scope, ClaimRequest request) {
    return limiter.hit(RATE_BUCKET, scope, settings.claimsPerHour(), Duration.ofHours(1))
        .compose(x -> claim(scope, request.key(), request.entityType(), request.requestHash(), CLAIM_ATTEMPTS));
  }

  @Override
  public Future<ClaimOutcome> claimRequest(String scope, String key, String fingerprint) {
    return claim(scope, key, HEADER_ENTITY_TYPE, fingerprint, CLAIM_ATTEMPTS);
  }

  private Future<ClaimOutcome> claim(String scope, String key, String entityType, String hash, int attempts) {
    return store.claim(Ids.next(), scope, key, entityType, hash, settings.ttlHours(), settings.staleAfterSeconds())
        .compose(taken -> {
          if (taken != null) {
            (taken.inserted() ? claimed : takenOver).increment();
            return Future.succeededFuture(new ClaimOutcome(
                taken.inserted() ? ClaimOutcome.Outcome.CLAIMED : ClaimOutcome.Outcome.TAKEN_OVER, taken.record()));
          }
          return store.find(scope, key, hash, settings.staleAfterSeconds()).compose(found -> {
            IdempotencyRules.Existing verdict = found == null
                ? IdempotencyRules.decide(false, false, false, false, false)
                : IdempotencyRules.decide(true, found.expired(), found.sameHash(), found.record().processed(), found.stale());
            switch (verdict) {
              case REPLAY:
                replayed.increment();
                return Future.succeededFuture(new ClaimOutcome(ClaimOutcome.Outcome.COMPLETED, found.record()));
              case KEY_REUSED:
                keyReused.increment();
                return Future.failedFuture(new ApiException(ErrorCode.IDEMPOTENCY_KEY_REUSED,
                    "key '" + key + "' was already used for a different request"));
              case CLAIM_AGAIN:
                // Only under extreme churn of one key does this run out; the caller may simply retry.
                if (attempts > 1) return claim(scope, key, entityType, hash, attempts - 1);
                inProgress.increment();
                return Future.failedFuture(inProgress(key));
              default:
                inProgress.increment();
                return Future.failedFuture(inProgress(key));
            }
          });
        });
  }

  @Override
  public Future<IdempotencyRecord> complete(String scope, String key, Completion completion) {
    return store.complete(scope, key, completion)
        .compose(r -> r != null ? Future.succeededFuture(r) : whyNot(scope, key, completion.claimId()));
  }

  @Override
  public Future<Void> release(String scope, String key, String claimId) {
    return store.release(scope, key, claimId)
        .compose(deleted -> deleted ? Future.<Void>succeededFuture() : whyNot(scope, key, claimId).mapEmpty());
  }

  @Override
  public Future<Long> purgeExpired(int batchSize) {
    return Batches.drain(batchSize, store::purgeExpiredBatch);
  }

  /** Explains why a complete or release matched nothing. */
  private Future<IdempotencyRecord> whyNot(String scope, String key, String claimId) {
    return store.find(scope, key, "", settings.staleAfterSeconds()).compose(found -> {
      if (found == null || found.expired()) {
        return Future.failedFuture(ApiException.notFound("no idempotency record for key '" + key + "'"));
      }
      if (found.record().processed()) {
        return Future.failedFuture(new ApiException(ErrorCode.ALREADY_COMPLETED, "key '" + key + "' is already completed"));
      }
      return Future.failedFuture(new ApiException(ErrorCode.CONFLICT,
          "the claim of key '" + key + "' " + (claimId == null ? "changed meanwhile" : "was taken over by a retry")));
    });
  }

  private static ApiException inProgress(String key) {
    return new ApiException(ErrorCode.IDEMPOTENCY_IN_PROGRESS,
        "key '" + key + "' is being processed by an earlier request; retry later");
  }
}
