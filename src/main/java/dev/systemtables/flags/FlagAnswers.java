package dev.systemtables.flags;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * The answers of {@code GET /flags/enabled} under one {@link FlagSnapshot}: the encoded body of every flag for a
 * caller, kept per caller so a caller asking again gets the stored text without evaluating any flag.
 *
 * <p>One instance belongs to one snapshot: {@link FlagSnapshots} replaces it together with the snapshot, so an
 * answer of an older snapshot can never be served, on this node or any other (each swaps its own). The key is the
 * caller's whole {@link EvaluationContext} (user id, role, brand, creator and every token claim), that is
 * everything the evaluation reads. A snapshot whose answers are not a function of that context alone
 * ({@link FlagSnapshot#repeatable()} false: DATE_* constraints, random rollouts) stores nothing, nor does a
 * context without a user id (a {@code default} rollout draws at random for it).
 *
 * <p>Bounded ({@code flags.answerCacheEntries}, 0 stores nothing) and shared by every event loop of the node:
 * Caffeine's cache is thread-safe, and a miss evaluates on the asking thread and stores without holding any lock
 * while evaluating (two loops missing the same caller at once both evaluate, and store the same text).
 */
public final class FlagAnswers {

  private final FlagSnapshot snapshot;
  /** Null when nothing is stored for this snapshot. */
  private final Cache<EvaluationContext, String> bodies;

  private FlagAnswers(FlagSnapshot snapshot, Cache<EvaluationContext, String> bodies) {
    this.snapshot = snapshot;
    this.bodies = bodies;
  }

  /** A fresh, empty set of answers for this snapshot, holding at most {@code maxEntries} callers (0: none). */
  static FlagAnswers of(FlagSnapshot snapshot, int maxEntries) {
    boolean store = maxEntries > 0 && snapshot.repeatable();
    return new FlagAnswers(snapshot, store ? Caffeine.newBuilder().maximumSize(maxEntries).build() : null);
  }

  /**
   * The same answers for a snapshot of the same content ({@link FlagSnapshot#sameContent}): the periodic reload
   * replaces the snapshot every {@code flags.reloadSeconds} even when nothing changed, and must not cost every
   * caller an evaluation each time.
   */
  FlagAnswers carriedTo(FlagSnapshot same) {
    return new FlagAnswers(same, bodies);
  }

  /** The snapshot these answers are of. */
  public FlagSnapshot snapshot() {
    return snapshot;
  }

  /**
   * {@code {"data":{"flags":{"name":bool,…}}}} for this caller, every flag of the snapshot by name: the stored
   * text when this caller asked before under this snapshot, else evaluated now (and stored when allowed).
   */
  public String allEnabled(EvaluationContext caller) {
    if (bodies == null || caller.userId() == null || caller.userId().isEmpty()) return evaluate(caller);
    String body = bodies.getIfPresent(caller);
    if (body == null) {
      // Not Cache.get(key, loader): that would evaluate while holding a lock another event loop may wait on.
      body = evaluate(caller);
      bodies.put(caller, body);
    }
    return body;
  }

  /** How many answers are stored now (an estimate, as the cache keeps it); for tests and diagnostics. */
  long stored() {
    return bodies == null ? 0 : bodies.estimatedSize();
  }

  /** Every flag, written straight into the text: no map, no JSON tree (each key is encoded once per snapshot). */
  private String evaluate(EvaluationContext caller) {
    StringBuilder body = new StringBuilder(32 + snapshot.size() * 32).append("{\"data\":{\"flags\":{");
    boolean first = true;
    for (FlagSnapshot.Entry e : snapshot.entries()) {
      if (!first) body.append(',');
      first = false;
      body.append(e.jsonKey()).append(FlagEvaluator.isEnabled(snapshot, e.flag(), caller));
    }
    return body.append("}}}").toString();
  }
}
