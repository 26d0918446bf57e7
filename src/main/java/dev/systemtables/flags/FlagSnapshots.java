package dev.systemtables.flags;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The node's current {@link FlagSnapshot}, shared by every HTTP verticle instance, together with the stored
 * answers of {@code GET /flags/enabled} under it ({@link FlagAnswers}).
 * {@link FlagSnapshotVerticle} alone replaces it (the setter is package-private); everyone else reads.
 * Reading is a single volatile load, which is why the evaluation endpoints use it directly
 * instead of asking over the event bus.
 */
public final class FlagSnapshots {

  private final int answerCacheEntries;
  /** The snapshot and its answers in one reference, so a reader never pairs a snapshot with another's answers. */
  private final AtomicReference<FlagAnswers> current;

  /** Without stored answers (every {@code GET /flags/enabled} evaluates). */
  public FlagSnapshots() {
    this(0);
  }

  /** Storing the answers of at most {@code answerCacheEntries} callers per snapshot ({@code flags.answerCacheEntries}). */
  public FlagSnapshots(int answerCacheEntries) {
    if (answerCacheEntries < 0) throw new IllegalArgumentException("answerCacheEntries must be >= 0");
    this.answerCacheEntries = answerCacheEntries;
    this.current = new AtomicReference<>(FlagAnswers.of(FlagSnapshot.EMPTY, answerCacheEntries));
  }

  public FlagSnapshot current() {
    return current.get().snapshot();
  }

  /** The current snapshot with its stored answers. */
  FlagAnswers answers() {
    return current.get();
  }

  /**
   * Installs a new snapshot. Its answers start empty, so a change is seen on the very next request; unless nothing
   * changed (the periodic reload), when the stored answers are still every caller's answer and are kept.
   */
  void replace(FlagSnapshot snapshot) {
    FlagAnswers previous = current.get();
    current.set(snapshot.sameContent(previous.snapshot())
        ? previous.carriedTo(snapshot)
        : FlagAnswers.of(snapshot, answerCacheEntries));
  }
}
