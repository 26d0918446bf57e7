package dev.systemtables.flags;

import io.vertx.core.Future;

/** Served by {@link FlagSnapshotVerticle}: reload this node's snapshot now, completing once it is installed. */
public interface FlagReloads {

  Future<Void> reload();
}
