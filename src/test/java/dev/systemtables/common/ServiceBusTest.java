package dev.systemtables.common;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(VertxExtension.class)
@DisplayName("ServiceBus: typed calls between verticles, by reference, with catalog errors")
class ServiceBusTest {

  /** A record as domain messages are: immutable, so sharing it between event loops is safe. */
  record Parcel(String id, List<String> items) {
  }

  /** A service interface as the domains declare theirs. */
  interface Depot {
    Future<Parcel> echo(Parcel parcel);

    Future<Void> refuse(String why);

    Future<Integer> crash();

    Future<String> where();

    Future<Long> never();
  }

  static final class DepotImpl implements Depot {
    @Override
    public Future<Parcel> echo(Parcel parcel) {
      return Future.succeededFuture(parcel);
    }

    @Override
    public Future<Void> refuse(String why) {
      return Future.failedFuture(new ApiException(ErrorCode.UNPROCESSABLE, why, new JsonObject().put("offending", why)));
    }

    @Override
    public Future<Integer> crash() {
      throw new IllegalStateException("a bug, not a catalog error");
    }

    @Override
    public Future<String> where() {
      return Future.succeededFuture(Thread.currentThread().getName());
    }

    @Override
    public Future<Long> never() {
      return Promise.<Long>promise().future();
    }
  }

  /** Not a service: a method that does not answer with a future. */
  interface Broken {
    String now();
  }

  @Test
  @DisplayName("A call hands the implementation the caller's record itself, and its answer comes back by reference")
  void byReference(Vertx vertx, VertxTestContext ctx) {
    Parcel parcel = new Parcel("p-1", List.of("a", "b"));
    vertx.deployVerticle(new ServiceVerticle<>(Depot.class, new DepotImpl()))
        .compose(id -> ServiceBus.proxy(vertx, Depot.class).echo(parcel))
        .onComplete(ctx.succeeding(back -> ctx.verify(() -> {
          assertThat(back).isSameAs(parcel);
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("A domain's catalog error arrives as the same exception, its extras included")
  void catalogErrors(Vertx vertx, VertxTestContext ctx) {
    vertx.deployVerticle(new ServiceVerticle<>(Depot.class, new DepotImpl()))
        .compose(id -> ServiceBus.proxy(vertx, Depot.class).refuse("ghost-1"))
        .onComplete(ctx.failing(t -> ctx.verify(() -> {
          assertThat(t).isInstanceOf(ApiException.class);
          ApiException e = (ApiException) t;
          assertThat(e.code()).isEqualTo(ErrorCode.UNPROCESSABLE);
          assertThat(e.detail()).isEqualTo("ghost-1");
          assertThat(e.extra().getString("offending")).isEqualTo("ghost-1");
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("An implementation that throws answers at once with the internal error, never a timeout")
  void crashes(Vertx vertx, VertxTestContext ctx) {
    long started = System.nanoTime();
    vertx.deployVerticle(new ServiceVerticle<>(Depot.class, new DepotImpl()))
        .compose(id -> ServiceBus.proxy(vertx, Depot.class).crash())
        .onComplete(ctx.failing(t -> ctx.verify(() -> {
          assertThat(((ApiException) t).code()).isEqualTo(ErrorCode.INTERNAL);
          assertThat(((ApiException) t).detail()).isEqualTo("internal error");
          assertThat(System.nanoTime() - started).isLessThan(ServiceBus.TIMEOUT_MS * 1_000_000);
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("With no consumer on the node, a call fails UNAVAILABLE naming the service")
  void noConsumer(Vertx vertx, VertxTestContext ctx) {
    ServiceBus.proxy(vertx, Depot.class).where().onComplete(ctx.failing(t -> ctx.verify(() -> {
      assertThat(((ApiException) t).code()).isEqualTo(ErrorCode.UNAVAILABLE);
      assertThat(((ApiException) t).detail()).contains("ServiceBusTest$Depot is not running");
      ctx.completeNow();
    })));
  }

  @Test
  @DisplayName("One consumer per event loop: calls from outside Vert.x are spread over several event loops, not queued on one")
  void everyEventLoop(Vertx vertx, VertxTestContext ctx) throws Exception {
    DepotImpl shared = new DepotImpl();
    int calls = 40;
    Checkpoint answered = ctx.checkpoint(calls);
    Set<String> threads = ConcurrentHashMap.newKeySet();
    vertx.deployVerticle(() -> new ServiceVerticle<>(Depot.class, shared), new DeploymentOptions().setInstances(4)).await();
    // From this (non-Vert.x) thread, so no event loop's own consumer is preferred.
    Depot depot = ServiceBus.proxy(vertx, Depot.class);
    for (int i = 0; i < calls; i++) {
      depot.where().onComplete(ctx.succeeding(thread -> ctx.verify(() -> {
        assertThat(thread).startsWith("vert.x-eventloop-thread-");
        threads.add(thread);
        answered.flag();
      })));
    }
    // Asserted on the test thread once every call answered (a failure after completion would go unseen).
    assertThat(ctx.awaitCompletion(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(threads).hasSizeGreaterThan(1);
  }

  @Test
  @DisplayName("A call made on an event loop that hosts a consumer is served on that same event loop")
  void sameLoop(Vertx vertx, VertxTestContext ctx) {
    int loops = 4;
    Checkpoint served = ctx.checkpoint(loops);
    vertx.deployVerticle(() -> new ServiceVerticle<>(Depot.class, new DepotImpl()), new DeploymentOptions().setInstances(loops))
        // One caller per event loop, each asking where it was served.
        .compose(id -> vertx.deployVerticle(() -> new io.vertx.core.VerticleBase() {
          @Override
          public Future<?> start() {
            String caller = Thread.currentThread().getName();
            return ServiceBus.proxy(vertx, Depot.class).where().onComplete(ctx.succeeding(thread -> ctx.verify(() -> {
              assertThat(thread).isEqualTo(caller);
              served.flag();
            })));
          }
        }, new DeploymentOptions().setInstances(loops)))
        .onFailure(ctx::failNow);
  }

  @Test
  @DisplayName("An interface with a method that does not answer a future is refused when exposed")
  void onlyFutures(Vertx vertx) {
    assertThatThrownBy(() -> ServiceBus.expose(vertx, Broken.class, () -> "now"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Broken.now must return a Future");
  }
}
