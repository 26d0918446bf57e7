package dev.systemtables;

import dev.systemtables.config.AppConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.spi.VertxMetricsFactory;

/** Builds the node's Vert.x: clustered when {@code CLUSTER_ENABLED=true}, plain otherwise. */
final class Clustering {

  private Clustering() {
  }

  static Future<Vertx> vertx(AppConfig config, VertxOptions options, VertxMetricsFactory metrics) {
    if (config.clusterEnabled()) {
      return Future.failedFuture(new IllegalStateException("clustering is not available in this build yet"));
    }
    return Future.succeededFuture(Vertx.builder().with(options).withMetrics(metrics).build());
  }
}
