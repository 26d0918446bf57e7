package dev.systemtables.trpc;

import io.vertx.core.json.JsonObject;

/**
 * The {@code trpc} section of {@code conf/config.yaml}.
 *
 * @param transformer         what the clients' links use: {@code json} (default) or {@code superjson}
 * @param allowMethodOverride whether queries may also come as POST (the links' {@code methodOverride: 'POST'}),
 *                            as tRPC's own {@code allowMethodOverride}
 * @param maxBatchSize        calls one batched request may hold; more is a 400
 */
public record TrpcSettings(Transformer transformer, boolean allowMethodOverride, int maxBatchSize) {

  public static TrpcSettings from(JsonObject section) {
    Object max = section.getValue("maxBatchSize", 100);
    if (!(max instanceof Integer n) || n < 1) {
      throw new IllegalArgumentException("trpc.maxBatchSize must be a positive integer, got '" + max + "'");
    }
    Object override = section.getValue("allowMethodOverride", false);
    if (!(override instanceof Boolean allow)) {
      throw new IllegalArgumentException("trpc.allowMethodOverride must be true or false, got '" + override + "'");
    }
    Object transformer = section.getValue("transformer");
    return new TrpcSettings(Transformer.named(transformer == null ? null : String.valueOf(transformer)), allow, n);
  }
}
