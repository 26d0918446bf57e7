package dev.systemtables.push;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

/**
 * The cross-node push relay, one per node: it listens on {@link Pushes#FANOUT} from start-up and hands each
 * event to this node's sockets on {@code notifications.user.<userId>} with a local-only publish. Browser
 * registrations come and go while nodes join and die; this one registration per node predates them all,
 * so a push never depends on a fresh browser registration having reached the cluster's subscription map.
 */
public final class PushRelay extends VerticleBase {

  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);

  @Override
  public Future<?> start() {
    // Cluster-wide on purpose: every node must hear every push.
    return vertx.eventBus().<JsonObject>consumer(Pushes.FANOUT, msg -> vertx.eventBus()
        .publish(BrowserAddresses.user(msg.body().getString("userId")), msg.body().getJsonObject("event"), LOCAL))
        .completion();
  }
}
