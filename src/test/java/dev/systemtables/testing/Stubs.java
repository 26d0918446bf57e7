package dev.systemtables.testing;

import dev.systemtables.common.ServiceVerticle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.lang.reflect.Proxy;
import java.util.function.Function;

/**
 * Stand-ins for a domain service, served on the event bus like the real one, so a test can make a domain
 * answer as it wants (fail, hang, crash) and watch what its callers do.
 */
public final class Stubs {

  private Stubs() {
  }

  /**
   * Serves {@code type} on the bus: {@code method} answers with {@code answer(args)} (a returned value is
   * wrapped, a thrown exception is the implementation's crash); every other method fails.
   */
  public static <S> void serve(Vertx vertx, Class<S> type, String method, Function<Object[], Object> answer) {
    Object stub = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (self, m, args) -> {
      if (m.getDeclaringClass() == Object.class) return m.getName().equals("toString") ? "stub" : m.invoke(new Object(), args);
      if (!m.getName().equals(method)) return Future.failedFuture(new UnsupportedOperationException(m.getName()));
      Object result = answer.apply(args);
      return result instanceof Future<?> f ? f : Future.succeededFuture(result);
    });
    vertx.deployVerticle(new ServiceVerticle<>(type, type.cast(stub))).await();
  }
}
