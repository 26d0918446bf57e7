package dev.systemtables.idempotency;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * All SQL of the idempotency domain. Time is PostgreSQL's {@code now()} everywhere, so nodes with
 * drifting clocks agree on what is stale or expired.
 *
 * <p>Rows are handed out as {@link IdempotencyRecord}s, with the flags a statement computes
 * ({@code inserted}, {@code expired}, {@code stale}, {@code sameHash}) beside them.
 */
final class IdempotencyStore {

  private static final String COLUMNS = """
      id, key, entity_type, entity_id, request_hash, processed, response_status,
      response_body_text, response_body::text AS response_json, response_headers, created_at, expires_at""";

  /*
   * The whole race in one statement. A new key is inserted. An existing key is taken only when it is
   * expired, or processing past the stale window for the same request hash; PostgreSQL's row lock on
   * the conflicting row serialises concurrent claims, and each re-checks the WHERE against the version
   * the winner committed, so exactly one of any number of concurrent claims gets a row back.
   * Nothing returned means a live record stays: the caller reads it to answer 200, 409 or 422.
   */
  private static final String CLAIM = """
      INSERT INTO idempotency_keys AS k
        (id, key, scope, entity_type, request_hash, processed, processing_at, created_at, expires_at)
      VALUES ($1, $2, $3, $4, $5, false, now(), now(), now() + make_interval(hours => $6))
      ON CONFLICT (scope, key) DO UPDATE SET
        id = excluded.id, entity_type = excluded.entity_type, request_hash = excluded.request_hash,
        entity_id = NULL, response_status = NULL, response_body = NULL, response_body_text = NULL,
        response_headers = NULL, processed = false, processing_at = now(), created_at = now(),
        expires_at = excluded.expires_at
      WHERE k.expires_at <= now()
         OR (NOT k.processed AND k.request_hash = excluded.request_hash
             AND k.processing_at < now() - make_interval(secs => $7))
      RETURNING %s, (xmax = 0) AS inserted
      """.formatted(COLUMNS);

  private static final String FIND = """
      SELECT %s,
        expires_at <= now() AS expired,
        request_hash = $3 AS same_hash,
        (NOT processed AND processing_at < now() - make_interval(secs => $4)) AS stale
      FROM idempotency_keys WHERE scope = $1 AND key = $2
      """.formatted(COLUMNS);

  private static final String COMPLETE = """
      UPDATE idempotency_keys SET processed = true, entity_id = $4, response_status = $5,
        response_body_text = $6, response_body = $7::text::jsonb, response_headers = $8
      WHERE scope = $1 AND key = $2 AND ($3::text IS NULL OR id = $3)
        AND NOT processed AND expires_at > now()
      RETURNING %s
      """.formatted(COLUMNS);

  private static final String RELEASE = """
      DELETE FROM idempotency_keys
      WHERE scope = $1 AND key = $2 AND ($3::text IS NULL OR id = $3)
        AND NOT processed AND expires_at > now()
      """;

  // SKIP LOCKED: a row a claim is re-taking right now is left to that claim, not deleted under it.
  private static final String PURGE_BATCH = """
      DELETE FROM idempotency_keys WHERE id IN (
        SELECT id FROM idempotency_keys WHERE expires_at <= now()
        ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED)
      """;

  private final Pool pool;

  IdempotencyStore(Pool pool) {
    this.pool = pool;
  }

  /** A claim that took a row: a new one ({@code inserted}), or an expired or stale one taken over. */
  record Claimed(IdempotencyRecord record, boolean inserted) {
  }

  /** A live or expired record as a claim found it, with what the statement computed about it. */
  record Found(IdempotencyRecord record, boolean expired, boolean sameHash, boolean stale) {
  }

  /** The claimed row, or null when a live record was left in place. */
  Future<Claimed> claim(String id, String scope, String key, String entityType, String requestHash,
                        int ttlHours, long staleAfterSeconds) {
    return pool.preparedQuery(CLAIM)
        .execute(Tuple.of(id, key, scope, entityType, requestHash, ttlHours, (double) staleAfterSeconds))
        .map(rows -> first(rows, r -> new Claimed(toRecord(r), r.getBoolean("inserted"))));
  }

  /** The record of a key whatever its state, or null. */
  Future<Found> find(String scope, String key, String requestHash, long staleAfterSeconds) {
    return pool.preparedQuery(FIND)
        .execute(Tuple.of(scope, key, requestHash, (double) staleAfterSeconds))
        .map(rows -> first(rows, r -> new Found(toRecord(r), r.getBoolean("expired"),
            Boolean.TRUE.equals(r.getBoolean("same_hash")), Boolean.TRUE.equals(r.getBoolean("stale")))));
  }

  /** Completes a live processing record (only the claim {@code c.claimId()} when given); null when none matched. */
  Future<IdempotencyRecord> complete(String scope, String key, Completion c) {
    JsonObject headers = c.responseHeaders().isEmpty() ? null : new JsonObject(new HashMap<>(c.responseHeaders()));
    return pool.preparedQuery(COMPLETE)
        .execute(Tuple.of(scope, key, c.claimId(), c.entityId(), c.responseStatus(), c.responseText(),
            c.responseJson(), headers))
        .map(rows -> first(rows, IdempotencyStore::toRecord));
  }

  /** Deletes a live processing record (only the claim {@code claimId} when given); whether one was deleted. */
  Future<Boolean> release(String scope, String key, String claimId) {
    return pool.preparedQuery(RELEASE).execute(Tuple.of(scope, key, claimId)).map(rows -> rows.rowCount() > 0);
  }

  /** Deletes at most {@code batchSize} expired records; how many it deleted. */
  Future<Integer> purgeExpiredBatch(int batchSize) {
    return pool.preparedQuery(PURGE_BATCH).execute(Tuple.of(batchSize)).map(RowSet::rowCount);
  }

  private static <T> T first(RowSet<Row> rows, Function<Row, T> map) {
    var it = rows.iterator();
    return it.hasNext() ? map.apply(it.next()) : null;
  }

  private static IdempotencyRecord toRecord(Row r) {
    JsonObject headers = r.getJsonObject("response_headers");
    Map<String, String> h = new HashMap<>();
    if (headers != null) headers.forEach(e -> h.put(e.getKey(), String.valueOf(e.getValue())));
    return new IdempotencyRecord(
        r.getString("id"),
        r.getString("key"),
        r.getString("entity_type"),
        r.getString("entity_id"),
        r.getString("request_hash"),
        r.getBoolean("processed"),
        r.getInteger("response_status"),
        r.getString("response_body_text"),
        r.getString("response_json"),
        h,
        r.getOffsetDateTime("created_at").toInstant(),
        r.getOffsetDateTime("expires_at").toInstant());
  }
}
