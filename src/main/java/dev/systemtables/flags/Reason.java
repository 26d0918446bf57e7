package dev.systemtables.flags;

/** Why an evaluation gave its answer; the names are OpenFeature's/OFREP's reasons. */
public enum Reason {
  /** No targeting decided: the flag has no rules or conditions that could differ by caller. */
  STATIC,
  /** A rule or condition matched. */
  TARGETING_MATCH,
  /** A percentage rollout or a weighted variant choice decided. */
  SPLIT,
  /** The flag is off, or a dependency of it is not satisfied. */
  DISABLED,
  /** No rule matched: the default variant. */
  DEFAULT,
  /** The flag could not be evaluated (see {@link Evaluation#errorCode()}). */
  ERROR
}
