package dev.systemtables.idempotency;

import dev.systemtables.timer.CleanupJob;
import io.vertx.core.Future;

import java.time.Instant;

/** {@code idempotency-cleanup}: deletes idempotency records whose 24 h lifetime has passed. */
public final class IdempotencyCleanup implements CleanupJob {

  public static final String NAME = "idempotency-cleanup";

  private final IdempotencyService idempotency;

  public IdempotencyCleanup(IdempotencyService idempotency) {
    this.idempotency = idempotency;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Future<Long> run(Instant now, int batchSize) {
    // Expiry is PostgreSQL's now(), like every other idempotency decision.
    return idempotency.purgeExpired(batchSize);
  }
}
