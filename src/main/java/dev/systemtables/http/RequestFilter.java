package dev.systemtables.http;

import io.vertx.core.Future;

/** Wraps every authenticated endpoint call (e.g. the Idempotency-Key filter on mutating methods). */
@FunctionalInterface
public interface RequestFilter {
  Future<Reply> around(Request request, Endpoint next);
}
