package dev.systemtables.push;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * How a domain pushes an event to a user's browsers, wherever they are connected: one cluster-wide publish
 * to {@link #FANOUT}, which every node's {@link PushRelay} hands to its own sockets.
 */
public final class Pushes {

  /** Internal and cluster-wide, never browser-visible: {@code {"userId", "event"}}. */
  public static final String FANOUT = "push.internal.user";

  private final Vertx vertx;

  public Pushes(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Publishes {@code event} to every open tab of the user, on every node. */
  public void toUser(String userId, JsonObject event) {
    vertx.eventBus().publish(FANOUT, new JsonObject().put("userId", userId).put("event", event));
  }
}
