package dev.systemtables.flags;

import java.time.Instant;
import java.util.List;

/**
 * A named reusable set of constraints (all ANDed) that rules refer to by name. Changing it changes every
 * flag that refers to it: segments travel in the same {@link FlagSnapshot} as the flags.
 *
 * @param constraints never null
 * @param createdAt   null for segments built outside the store
 */
public record Segment(String id, String name, String description, List<Constraint> constraints,
                      String createdBy, String updatedBy, Instant createdAt, Instant updatedAt) {

  public Segment {
    constraints = constraints == null ? List.of() : List.copyOf(constraints);
  }

  /** A segment as the evaluator needs it, without its bookkeeping. */
  public Segment(String name, List<Constraint> constraints) {
    this(null, name, null, constraints, null, null, null, null);
  }
}
