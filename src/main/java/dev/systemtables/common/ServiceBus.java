package dev.systemtables.common;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.buffer.Buffer;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Arrays;

/**
 * Typed request/reply between verticles: a domain exposes its service interface at one event-bus
 * address, and callers hold a proxy implementing the very same interface. The compiler checks every
 * message: the arguments and the result are the interface's own parameter and return types (records),
 * so a wrong type or a missing field does not compile.
 *
 * <p>Every call stays on the node. The consumer is a {@code localConsumer} and the request is
 * {@code localOnly}, so a REST call's work never travels to another node, and the records travel by
 * reference through a codec that never copies or serialises them: they are immutable, so sharing them
 * between event loops is safe. Only publishes that cross the cluster (pushes, flag-change signals) are
 * ever serialised, and they do not use this class.
 *
 * <p>A domain deploys one consumer per event loop (see {@link ServiceVerticle}); the event bus spreads
 * calls over them. A failed future, or an exception thrown by the implementation, travels back as the
 * same {@link ApiException} object (with its extras); anything else becomes the catalog's internal error
 * and is logged once, where it happened. A consumer that does not answer within
 * {@link #TIMEOUT_MS} gives {@code UNAVAILABLE}, never a hang.
 *
 * <p>Service interfaces declare only methods returning {@link Future}; the address is the interface's
 * name, which no browser can ever register (see {@code push.BrowserAddresses}).
 */
public final class ServiceBus {

  /** Domain calls must answer well within an HTTP client's patience. */
  public static final long TIMEOUT_MS = 10_000;

  private static final String CODEC = "system-tables.by-reference";
  private static final DeliveryOptions SEND = new DeliveryOptions()
      .setCodecName(CODEC).setLocalOnly(true).setSendTimeout(TIMEOUT_MS);
  private static final DeliveryOptions REPLY = new DeliveryOptions().setCodecName(CODEC);

  private ServiceBus() {
  }

  /** The event-bus address of a service interface. */
  public static String address(Class<?> type) {
    return type.getName();
  }

  /**
   * Serves {@code type} with {@code implementation} on the calling verticle's event loop. Register once
   * per verticle instance; several instances share the address and the bus spreads calls over them.
   */
  public static <S> MessageConsumer<Call> expose(Vertx vertx, Class<S> type, S implementation) {
    requireService(type);
    registerCodec(vertx);
    return vertx.eventBus().<Call>localConsumer(address(type), msg -> {
      Call call = msg.body();
      Future<?> result;
      try {
        result = (Future<?>) call.method().invoke(implementation, call.args());
        if (result == null) result = Future.failedFuture(new IllegalStateException(call + " returned null"));
      } catch (InvocationTargetException e) {
        result = Future.failedFuture(e.getCause());
      } catch (Throwable t) {
        result = Future.failedFuture(t);
      }
      result.onComplete(ar -> msg.reply(ar.succeeded() ? ar.result() : new Failure(Failures.toApi(ar.cause())), REPLY));
    });
  }

  /** A client of {@code type}: each call is one local request to the service's consumers. */
  public static <S> S proxy(Vertx vertx, Class<S> type) {
    requireService(type);
    registerCodec(vertx);
    String address = address(type);
    EventBus bus = vertx.eventBus();
    Object proxy = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (self, method, args) -> {
      if (method.getDeclaringClass() == Object.class) return objectMethod(self, method, args, type);
      return bus.request(address, new Call(method, args), SEND).transform(ar -> {
        if (ar.failed()) return Future.failedFuture(fromTransport(ar.cause(), address));
        Object body = ar.result().body();
        return body instanceof Failure f ? Future.failedFuture(f.error()) : Future.succeededFuture(body);
      });
    });
    return type.cast(proxy);
  }

  private static Object objectMethod(Object self, Method method, Object[] args, Class<?> type) {
    return switch (method.getName()) {
      case "equals" -> self == args[0];
      case "hashCode" -> System.identityHashCode(self);
      default -> "ServiceBus proxy of " + type.getSimpleName();
    };
  }

  private static Throwable fromTransport(Throwable t, String address) {
    if (t instanceof ReplyException re && re.failureType() == ReplyFailure.TIMEOUT) {
      return ApiException.unavailable("the service is busy, retry shortly");
    }
    if (t instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS) {
      return ApiException.unavailable(address.substring(address.lastIndexOf('.') + 1) + " is not running on this node");
    }
    return Failures.toApi(t);
  }

  private static void requireService(Class<?> type) {
    if (!type.isInterface()) throw new IllegalArgumentException(type + " is not an interface");
    for (Method m : type.getMethods()) {
      if (!m.isDefault() && !java.lang.reflect.Modifier.isStatic(m.getModifiers())
          && m.getReturnType() != Future.class) {
        throw new IllegalArgumentException(type.getSimpleName() + "." + m.getName() + " must return a Future");
      }
    }
  }

  private static void registerCodec(Vertx vertx) {
    try {
      vertx.eventBus().registerCodec(new ByReference());
    } catch (IllegalStateException alreadyRegistered) {
      // the node's first service registered it
    }
  }

  /** One call of a service method: the interface's method and its arguments. */
  public record Call(Method method, Object[] args) {
    @Override
    public String toString() {
      return method.getDeclaringClass().getSimpleName() + "." + method.getName() + Arrays.toString(args);
    }
  }

  /** The reply of a call that failed: the catalog error itself, not a copy of its text. */
  private record Failure(ApiException error) {
  }

  /**
   * Passes message bodies by reference. It is only ever used for node-local deliveries, so the wire
   * methods are never called; they refuse rather than pretend.
   */
  private static final class ByReference implements MessageCodec<Object, Object> {
    @Override
    public void encodeToWire(Buffer buffer, Object o) {
      throw new UnsupportedOperationException("service calls never leave the node");
    }

    @Override
    public Object decodeFromWire(int pos, Buffer buffer) {
      throw new UnsupportedOperationException("service calls never leave the node");
    }

    @Override
    public Object transform(Object o) {
      return o;
    }

    @Override
    public String name() {
      return CODEC;
    }

    @Override
    public byte systemCodecID() {
      return -1;
    }
  }
}
