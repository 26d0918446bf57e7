package dev.systemtables.http;

import io.vertx.core.Future;

/** One API operation: a request in, a reply out. Throwing or failing yields a problem response. */
@FunctionalInterface
public interface Endpoint {
  Future<Reply> handle(Request request);
}
