package dev.systemtables.idempotency;

/** What a claim found: a new claim (its id is the record's), a stale claim taken over, or a completed record. */
public record ClaimOutcome(Outcome outcome, IdempotencyRecord record) {

  public enum Outcome {
    /** A new record (or an expired one replaced): the caller does the work. */
    CLAIMED,
    /** A stale claim of the same request taken over: the caller does the work. */
    TAKEN_OVER,
    /** Already done with the same request hash: the stored result is the answer. */
    COMPLETED
  }

  public boolean completed() {
    return outcome == Outcome.COMPLETED;
  }
}
