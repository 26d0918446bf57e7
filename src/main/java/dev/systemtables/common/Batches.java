package dev.systemtables.common;

import io.vertx.core.Future;

import java.util.function.IntFunction;

/**
 * Bulk deletes in bounded batches: statement after statement, each removing at most {@code batchSize}
 * rows, until one comes back short. A backlog never holds long locks or one huge transaction.
 */
public final class Batches {

  private Batches() {
  }

  /** Runs {@code batch} (which deletes up to its argument's rows and answers how many) until a short one; the total. */
  public static Future<Long> drain(int batchSize, IntFunction<Future<Integer>> batch) {
    Check.that(batchSize >= 1, "batchSize must be a positive integer");
    return drain(batchSize, batch, 0);
  }

  private static Future<Long> drain(int batchSize, IntFunction<Future<Integer>> batch, long soFar) {
    return batch.apply(batchSize).compose(n -> n < batchSize
        ? Future.succeededFuture(soFar + n)
        : drain(batchSize, batch, soFar + n));
  }
}
