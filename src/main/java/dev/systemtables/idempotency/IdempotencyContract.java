package dev.systemtables.idempotency;

/**
 * Event-bus contract of the idempotency domain (node-local request/reply). Every record belongs to a
 * {@code scope}, the caller's {@code sub}: a message never reads or changes another scope's records.
 * Keys are validated by {@link IdempotencyRules} before they are sent.
 *
 * <p>A <em>record</em> in a reply is the public shape:
 * {@code {"key", "processed", "entityType", "entityId", "responseStatus", "responseBody", "createdAt", "expiresAt"}}
 * (timestamps ISO-8601 UTC; {@code responseBody} the stored JSON value). Expired records are absent to
 * every message except {@link #PURGE_EXPIRED}.
 *
 * <ul>
 *   <li>{@link #LOOKUP}: {@code {"scope", "key"}} → the completed record, or null when unknown, expired, or a
 *   stale claim; fails {@code IDEMPOTENCY_IN_PROGRESS} while a fresh claim is processing.</li>
 *   <li>{@link #CLAIM}: {@code {"scope", "key", "entityType", "requestHash"}} →
 *   {@code {"outcome": "CLAIMED"|"TAKEN_OVER"|"COMPLETED", "claimId", "record", "replay"?}}.
 *   {@code CLAIMED}: a new record (or an expired one replaced); {@code TAKEN_OVER}: a stale claim of the same
 *   request hash taken over; {@code COMPLETED}: already done with the same hash, and {@code replay} holds
 *   {@code {"status", "body" (exact text or null), "headers": {name: value}}} for the header filter.
 *   Fails {@code IDEMPOTENCY_IN_PROGRESS} (a fresh claim of the same hash is processing) or
 *   {@code IDEMPOTENCY_KEY_REUSED} (the key holds another request hash). Decided by one atomic statement.</li>
 *   <li>{@link #COMPLETE}: {@code {"scope", "key", "claimId"?, "entityId"?, "responseStatus",
 *   "responseBody"? (any JSON) | "responseText"? (exact text), "responseHeaders"?}} → the completed record.
 *   With {@code claimId} only that very claim is completed (the header filter's, not one that took it over).
 *   Fails {@code NOT_FOUND} (unknown or expired), {@code ALREADY_COMPLETED}, or {@code CONFLICT} (the claim
 *   was taken over).</li>
 *   <li>{@link #RELEASE}: {@code {"scope", "key", "claimId"?}} → null, the processing claim is deleted so a
 *   retry may claim at once. Fails {@code NOT_FOUND} (unknown or expired), {@code ALREADY_COMPLETED}, or
 *   {@code CONFLICT} (the claim was taken over).</li>
 *   <li>{@link #PURGE_EXPIRED}: {@code {"batchSize": n}} → {@code {"deleted": total}}. Deletes records whose
 *   {@code expires_at} has passed, at most {@code batchSize} rows per statement, statement after statement
 *   until a batch comes back short, so a backlog never holds long locks. Used by the cleanup job.</li>
 * </ul>
 */
public final class IdempotencyContract {

  public static final String LOOKUP = "idempotency.lookup";
  public static final String CLAIM = "idempotency.claim";
  public static final String COMPLETE = "idempotency.complete";
  public static final String RELEASE = "idempotency.release";
  public static final String PURGE_EXPIRED = "idempotency.purge-expired";

  /** Values of a claim reply's {@code outcome}. */
  public static final String CLAIMED = "CLAIMED";
  public static final String TAKEN_OVER = "TAKEN_OVER";
  public static final String COMPLETED = "COMPLETED";

  private IdempotencyContract() {
  }
}
