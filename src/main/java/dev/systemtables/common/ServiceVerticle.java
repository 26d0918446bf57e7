package dev.systemtables.common;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;

import java.util.List;

/**
 * Serves one domain's service interface on this verticle's event loop. A domain verticle deploys one
 * of these per event loop, all sharing one implementation (and so one pool), so a domain's work is
 * spread over every core instead of queueing on one event loop, and a call made on an event loop is
 * served on that same loop.
 */
public final class ServiceVerticle<S> extends VerticleBase {

  private final Class<S> type;
  private final S implementation;

  public ServiceVerticle(Class<S> type, S implementation) {
    this.type = type;
    this.implementation = implementation;
  }

  private List<MessageConsumer<ServiceBus.Call>> consumers = List.of();

  @Override
  public Future<?> start() {
    consumers = ServiceBus.exposeOnThisLoop(vertx, type, implementation);
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList());
  }

  @Override
  public Future<?> stop() {
    ServiceBus.leaveThisLoop(vertx, type);
    return Future.all(consumers.stream().map(MessageConsumer::unregister).toList());
  }
}
