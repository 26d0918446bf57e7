package dev.systemtables.flags;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The node's current {@link FlagSnapshot}, shared by every HTTP verticle instance.
 * {@link FlagSnapshotVerticle} alone replaces it (the setter is package-private); everyone else reads.
 * Reading is a single volatile load, which is why the evaluation endpoints use it directly
 * instead of asking over the event bus.
 */
public final class FlagSnapshots {

  private final AtomicReference<FlagSnapshot> current = new AtomicReference<>(FlagSnapshot.EMPTY);

  public FlagSnapshot current() {
    return current.get();
  }

  void replace(FlagSnapshot snapshot) {
    current.set(snapshot);
  }
}
