package dev.systemtables.common;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;

import java.util.function.Function;

/**
 * Request/reply over the event bus with catalog errors on both ends.
 *
 * <p>Consumers are always node-local: a REST call's work never travels to another node.
 * A handler's failed future (or thrown exception) is always turned into a reply failure,
 * because an exception escaping a consumer would leave the caller waiting for the timeout.
 */
public final class Bus {

  /** Domain calls must answer well within the HTTP client's patience. */
  public static final long REQUEST_TIMEOUT_MS = 10_000;

  private Bus() {
  }

  /** Registers a node-local consumer whose handler answers with a JSON value (or null). */
  public static MessageConsumer<JsonObject> serve(Vertx vertx, String address,
                                                  Function<JsonObject, Future<?>> handler) {
    return vertx.eventBus().<JsonObject>localConsumer(address, msg -> handle(msg, handler));
  }

  private static void handle(Message<JsonObject> msg, Function<JsonObject, Future<?>> handler) {
    Future<?> result;
    try {
      JsonObject body = msg.body() == null ? new JsonObject() : msg.body();
      result = handler.apply(body);
    } catch (Throwable t) {
      result = Future.failedFuture(t);
    }
    result.onComplete(ar -> {
      if (ar.succeeded()) {
        msg.reply(ar.result());
      } else {
        ApiException api = Failures.toApi(ar.cause());
        msg.fail(api.code().status(), api.toWire());
      }
    });
  }

  /** Sends a request and maps a reply failure back to the {@link ApiException} the domain raised. */
  public static <T> Future<T> request(Vertx vertx, String address, JsonObject body) {
    return vertx.eventBus().<T>request(address, body, new DeliveryOptions().setSendTimeout(REQUEST_TIMEOUT_MS))
        .map(Message::body)
        .recover(t -> Future.failedFuture(fromReply(t)));
  }

  private static Throwable fromReply(Throwable t) {
    if (t instanceof ReplyException re && re.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
      return ApiException.fromWire(re.getMessage());
    }
    if (t instanceof ReplyException re && re.failureType() == ReplyFailure.TIMEOUT) {
      return ApiException.unavailable("the service is busy, retry shortly");
    }
    return Failures.toApi(t);
  }
}
