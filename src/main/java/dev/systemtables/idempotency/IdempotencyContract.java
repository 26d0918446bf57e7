package dev.systemtables.idempotency;

/**
 * Event-bus contract of the idempotency domain (node-local request/reply).
 *
 * <ul>
 *   <li>{@link #PURGE_EXPIRED}: {@code {"batchSize": n}} → {@code {"deleted": total}}. Deletes records whose
 *   {@code expires_at} has passed, at most {@code batchSize} rows per statement, statement after statement
 *   until a batch comes back short, so a backlog never holds long locks. Used by the cleanup job.</li>
 * </ul>
 */
public final class IdempotencyContract {

  public static final String PURGE_EXPIRED = "idempotency.purge-expired";

  private IdempotencyContract() {
  }
}
