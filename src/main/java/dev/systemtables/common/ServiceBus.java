package dev.systemtables.common;

import io.netty.channel.EventLoop;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.internal.ContextInternal;
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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;

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
 * <p>A domain deploys one consumer per event loop (see {@link ServiceVerticle}). A call made on an event
 * loop that hosts one of them goes to that one (a second, loop-specific address): the request and its
 * reply are then queued on the caller's own thread instead of waking another. Calls from elsewhere go to
 * the shared address, which the event bus spreads over all of them. A failed future, or an exception thrown by the implementation, travels back as the
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

  /** Per Vert.x instance (tests run several in one JVM): each service address and the event loops serving it. */
  private static final Map<Vertx, Map<String, Set<EventLoop>>> AFFINITY = new WeakHashMap<>();

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
    return vertx.eventBus().localConsumer(address(type), handler(implementation));
  }

  /**
   * Serves {@code type} on the calling verticle's event loop and takes the calls made on that very event
   * loop. Returns the consumers to unregister when the verticle stops.
   */
  static <S> List<MessageConsumer<Call>> exposeOnThisLoop(Vertx vertx, Class<S> type, S implementation) {
    MessageConsumer<Call> shared = expose(vertx, type, implementation);
    Context context = Vertx.currentContext();
    if (context == null || !context.isEventLoopContext()) return List.of(shared);
    EventLoop loop = ((ContextInternal) context).nettyEventLoop();
    String pinned = pinnedAddress(address(type), loop);
    MessageConsumer<Call> own = vertx.eventBus().localConsumer(pinned, handler(implementation));
    Set<EventLoop> loops = affinity(vertx).computeIfAbsent(address(type), a -> ConcurrentHashMap.newKeySet());
    own.completion().onSuccess(x -> loops.add(loop));
    return List.of(shared, own);
  }

  /** Forgets that this event loop serves {@code type} (its verticle is stopping). */
  static void leaveThisLoop(Vertx vertx, Class<?> type) {
    Context context = Vertx.currentContext();
    if (context == null || !context.isEventLoopContext()) return;
    Set<EventLoop> loops = affinity(vertx).get(address(type));
    if (loops != null) loops.remove(((ContextInternal) context).nettyEventLoop());
  }

  private static Map<String, Set<EventLoop>> affinity(Vertx vertx) {
    synchronized (AFFINITY) {
      return AFFINITY.computeIfAbsent(vertx, v -> new ConcurrentHashMap<>());
    }
  }

  private static String pinnedAddress(String address, EventLoop loop) {
    return address + "@" + Integer.toHexString(System.identityHashCode(loop));
  }

  /** The address for a call made now: this event loop's own consumer when it has one, else the shared one. */
  private static String target(Vertx vertx, String address) {
    Context context = Vertx.currentContext();
    if (context == null || !context.isEventLoopContext()) return address;
    Set<EventLoop> loops = affinity(vertx).get(address);
    EventLoop loop = ((ContextInternal) context).nettyEventLoop();
    return loops != null && loops.contains(loop) ? pinnedAddress(address, loop) : address;
  }

  private static <S> Handler<Message<Call>> handler(S implementation) {
    return msg -> {
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
    };
  }

  /** A client of {@code type}: each call is one local request to the service's consumers. */
  public static <S> S proxy(Vertx vertx, Class<S> type) {
    requireService(type);
    registerCodec(vertx);
    String address = address(type);
    EventBus bus = vertx.eventBus();
    Object proxy = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (self, method, args) -> {
      if (method.getDeclaringClass() == Object.class) return objectMethod(self, method, args, type);
      return bus.request(target(vertx, address), new Call(method, args), SEND).transform(ar -> {
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
