package dev.systemtables.idempotency;

import dev.systemtables.NodeContext;
import dev.systemtables.common.ApiException;
import dev.systemtables.common.Bus;
import dev.systemtables.common.ErrorCode;
import dev.systemtables.common.Fields;
import dev.systemtables.common.Ids;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;

import java.util.Map;

/**
 * Owns {@code idempotency_keys}: claims, completions, releases, look-ups and the purge of expired records.
 * Every race is decided by PostgreSQL in one statement (see {@link IdempotencyStore}); this class only
 * turns a claim that found a live record into 200, 409 or 422.
 */
public final class IdempotencyVerticle extends VerticleBase {

  /** A claim that finds a record turning claimable between its two statements tries again, this often. */
  private static final int CLAIM_ATTEMPTS = 3;
  private static final int DEFAULT_PURGE_BATCH = 5000;

  private final NodeContext node;
  private final int ttlHours;
  private final long staleAfterSeconds;
  private Pool pool;
  private IdempotencyStore store;
  private Map<String, Counter> claims;

  public IdempotencyVerticle(NodeContext node) {
    this.node = node;
    JsonObject conf = node.config().section("idempotency");
    this.ttlHours = conf.getInteger("ttlHours", 24);
    this.staleAfterSeconds = conf.getLong("staleAfterSeconds", 300L);
    if (ttlHours < 1) throw new IllegalArgumentException("idempotency.ttlHours must be at least 1");
    if (staleAfterSeconds < 1) throw new IllegalArgumentException("idempotency.staleAfterSeconds must be at least 1");
  }

  @Override
  public Future<?> start() {
    pool = node.database().pool(vertx, "idempotency", 8);
    store = new IdempotencyStore(pool);
    claims = Map.of(
        IdempotencyContract.CLAIMED, counter("claimed"),
        IdempotencyContract.TAKEN_OVER, counter("taken_over"),
        IdempotencyContract.COMPLETED, counter("replayed"),
        "IN_PROGRESS", counter("in_progress"),
        "KEY_REUSED", counter("key_reused"));
    Bus.serve(vertx, IdempotencyContract.LOOKUP, this::lookup);
    Bus.serve(vertx, IdempotencyContract.CLAIM, this::claim);
    Bus.serve(vertx, IdempotencyContract.COMPLETE, this::complete);
    Bus.serve(vertx, IdempotencyContract.RELEASE, this::release);
    Bus.serve(vertx, IdempotencyContract.PURGE_EXPIRED, this::purgeExpired);
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    return pool == null ? Future.succeededFuture() : pool.close();
  }

  private Counter counter(String outcome) {
    return Counter.builder("idempotency_claims").description("Idempotency claims by outcome")
        .tag("outcome", outcome).register(node.metrics());
  }

  private Future<JsonObject> lookup(JsonObject body) {
    String scope = body.getString("scope");
    String key = body.getString("key");
    return store.find(scope, key, "", staleAfterSeconds).map(r -> {
      if (r == null || r.getBoolean("expired")) return null;
      if (r.getBoolean("processed")) return publicRecord(r);
      if (r.getBoolean("stale")) return null;
      throw inProgress(key);
    });
  }

  private Future<JsonObject> claim(JsonObject body) {
    return claim(body.getString("scope"), body.getString("key"), body.getString("entityType"),
        body.getString("requestHash"), CLAIM_ATTEMPTS);
  }

  private Future<JsonObject> claim(String scope, String key, String entityType, String hash, int attempts) {
    String id = Ids.next();
    return store.claim(id, scope, key, entityType, hash, ttlHours, staleAfterSeconds).compose(claimed -> {
      if (claimed != null) {
        String outcome = claimed.getBoolean("inserted") ? IdempotencyContract.CLAIMED : IdempotencyContract.TAKEN_OVER;
        claims.get(outcome).increment();
        return Future.succeededFuture(new JsonObject().put("outcome", outcome)
            .put("claimId", claimed.getString("id")).put("record", publicRecord(claimed)));
      }
      return store.find(scope, key, hash, staleAfterSeconds).compose(r -> {
        IdempotencyRules.Existing verdict = r == null
            ? IdempotencyRules.decide(false, false, false, false, false)
            : IdempotencyRules.decide(true, r.getBoolean("expired"), r.getBoolean("sameHash"),
                r.getBoolean("processed"), r.getBoolean("stale"));
        switch (verdict) {
          case REPLAY:
            claims.get(IdempotencyContract.COMPLETED).increment();
            return Future.succeededFuture(new JsonObject().put("outcome", IdempotencyContract.COMPLETED)
                .put("record", publicRecord(r)).put("replay", replay(r)));
          case KEY_REUSED:
            claims.get("KEY_REUSED").increment();
            return Future.failedFuture(new ApiException(ErrorCode.IDEMPOTENCY_KEY_REUSED,
                "key '" + key + "' was already used for a different request"));
          case CLAIM_AGAIN:
            if (attempts > 1) return claim(scope, key, entityType, hash, attempts - 1);
            // Only under extreme churn of one key; the caller may simply retry.
            claims.get("IN_PROGRESS").increment();
            return Future.failedFuture(inProgress(key));
          default:
            claims.get("IN_PROGRESS").increment();
            return Future.failedFuture(inProgress(key));
        }
      });
    });
  }

  private Future<JsonObject> complete(JsonObject body) {
    String scope = body.getString("scope");
    String key = body.getString("key");
    String claimId = body.getString("claimId");
    String text;
    String json;
    if (body.containsKey("responseText")) {
      text = body.getString("responseText");
      json = asJsonText(text);
    } else {
      Object value = body.getValue("responseBody");
      text = value == null ? null : Json.encode(value);
      json = text;
    }
    JsonObject headers = body.getJsonObject("responseHeaders");
    return store.complete(scope, key, claimId, body.getString("entityId"), body.getInteger("responseStatus"),
            text, json, headers)
        .compose(r -> r != null ? Future.succeededFuture(publicRecord(r)) : whyNot(scope, key, claimId));
  }

  private Future<Void> release(JsonObject body) {
    String scope = body.getString("scope");
    String key = body.getString("key");
    String claimId = body.getString("claimId");
    return store.release(scope, key, claimId)
        .compose(deleted -> deleted ? Future.<Void>succeededFuture() : whyNot(scope, key, claimId).mapEmpty());
  }

  /** Explains why a complete or release matched nothing. */
  private Future<JsonObject> whyNot(String scope, String key, String claimId) {
    return store.find(scope, key, "", staleAfterSeconds).compose(r -> {
      if (r == null || r.getBoolean("expired")) {
        return Future.failedFuture(ApiException.notFound("no idempotency record for key '" + key + "'"));
      }
      if (r.getBoolean("processed")) {
        return Future.failedFuture(new ApiException(ErrorCode.ALREADY_COMPLETED,
            "key '" + key + "' is already completed"));
      }
      return Future.failedFuture(new ApiException(ErrorCode.CONFLICT,
          "the claim of key '" + key + "' " + (claimId == null ? "changed meanwhile" : "was taken over by a retry")));
    });
  }

  private Future<JsonObject> purgeExpired(JsonObject body) {
    Integer size = Fields.optionalInt(body, "batchSize");
    int n = size == null ? DEFAULT_PURGE_BATCH : size;
    if (n < 1) return Future.failedFuture(ApiException.validation("batchSize must be a positive integer"));
    return purgeFrom(n, 0).map(total -> new JsonObject().put("deleted", total));
  }

  private Future<Long> purgeFrom(int batchSize, long deletedSoFar) {
    return store.purgeExpiredBatch(batchSize).compose(deleted -> deleted < batchSize
        ? Future.succeededFuture(deletedSoFar + deleted)
        : purgeFrom(batchSize, deletedSoFar + deleted));
  }

  private static ApiException inProgress(String key) {
    return new ApiException(ErrorCode.IDEMPOTENCY_IN_PROGRESS,
        "key '" + key + "' is being processed by an earlier request; retry later");
  }

  /** The record as callers see it; the stored text is decoded so member order survives the round trip. */
  private static JsonObject publicRecord(JsonObject r) {
    return new JsonObject()
        .put("key", r.getString("key"))
        .put("processed", r.getBoolean("processed"))
        .put("entityType", r.getString("entityType"))
        .put("entityId", r.getString("entityId"))
        .put("responseStatus", r.getInteger("responseStatus"))
        .put("responseBody", responseBody(r))
        .put("createdAt", r.getString("createdAt"))
        .put("expiresAt", r.getString("expiresAt"));
  }

  private static Object responseBody(JsonObject r) {
    String text = r.getString("responseText");
    if (text != null) {
      try {
        return Json.decodeValue(text);
      } catch (DecodeException e) {
        return text;
      }
    }
    String json = r.getString("responseJson");
    return json == null ? null : Json.decodeValue(json);
  }

  private static JsonObject replay(JsonObject r) {
    String text = r.getString("responseText");
    return new JsonObject()
        .put("status", r.getInteger("responseStatus"))
        .put("body", text != null ? text : r.getString("responseJson"))
        .put("headers", r.getJsonObject("responseHeaders", new JsonObject()));
  }

  private static String asJsonText(String text) {
    if (text == null || text.isBlank()) return null;
    try {
      Json.decodeValue(text);
      return text;
    } catch (DecodeException e) {
      return null;
    }
  }
}
