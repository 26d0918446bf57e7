package dev.systemtables.idempotency;

import io.vertx.core.Future;

/**
 * The idempotency domain's operations, served by {@link IdempotencyVerticle} on every event loop. Every
 * record belongs to a {@code scope}, the caller's {@code sub}: no call reads or changes another scope's
 * records. Expired records are absent everywhere except to {@link #purgeExpired}. Every race is decided
 * by PostgreSQL in one statement.
 */
public interface IdempotencyService {

  /**
   * The completed record of a key; null when unknown, expired, or a stale claim. {@code IDEMPOTENCY_IN_PROGRESS}
   * while a fresh claim is processing.
   */
  Future<IdempotencyRecord> lookup(String scope, String key);

  /**
   * Claims a key through the claim API (counted against {@code rateLimits.idempotencyClaimsPerHour}).
   * {@code IDEMPOTENCY_IN_PROGRESS} while a fresh claim of the same hash is processing;
   * {@code IDEMPOTENCY_KEY_REUSED} when the key holds another request hash.
   */
  Future<ClaimOutcome> claim(String scope, ClaimRequest request);

  /** Claims a key for a request carrying the {@code Idempotency-Key} header (not rate limited); as {@link #claim}. */
  Future<ClaimOutcome> claimRequest(String scope, String key, String fingerprint);

  /**
   * Stores the result of a processing claim; the completed record. {@code NOT_FOUND} (unknown or expired),
   * {@code ALREADY_COMPLETED}, or {@code CONFLICT} (the claim was taken over by a retry).
   */
  Future<IdempotencyRecord> complete(String scope, String key, Completion completion);

  /**
   * Deletes a processing claim (only {@code claimId}'s when given) so a retry may claim at once. Fails as
   * {@link #complete} does.
   */
  Future<Void> release(String scope, String key, String claimId);

  /** Deletes expired records, at most {@code batchSize} per statement, until a batch comes back short; how many. */
  Future<Long> purgeExpired(int batchSize);
}
