package dev.systemtables.common;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/**
 * Serves one domain's service interface on this verticle's event loop. A domain verticle deploys one
 * of these per event loop, all sharing one implementation (and so one pool), so a domain's work is
 * spread over every core instead of queueing on one event loop.
 */
public final class ServiceVerticle<S> extends VerticleBase {

  private final Class<S> type;
  private final S implementation;

  public ServiceVerticle(Class<S> type, S implementation) {
    this.type = type;
    this.implementation = implementation;
  }

  @Override
  public Future<?> start() {
    return ServiceBus.expose(vertx, type, implementation).completion();
  }
}
