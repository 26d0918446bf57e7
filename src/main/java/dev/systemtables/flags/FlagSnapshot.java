package dev.systemtables.flags;

import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every flag of the service at one moment, by name, immutable. Evaluations read a snapshot
 * without locks or I/O; a change replaces the whole snapshot (see {@link FlagSnapshots}).
 */
public final class FlagSnapshot {

  /** What a node holds before its first load. */
  public static final FlagSnapshot EMPTY = new FlagSnapshot(Map.of(), Instant.EPOCH);

  private final Map<String, Flag> byName;
  private final Instant loadedAt;

  private FlagSnapshot(Map<String, Flag> byName, Instant loadedAt) {
    this.byName = byName;
    this.loadedAt = loadedAt;
  }

  /** A snapshot of these flags (names are unique), ordered by name. */
  public static FlagSnapshot of(Collection<Flag> flags, Instant loadedAt) {
    Map<String, Flag> map = new LinkedHashMap<>();
    flags.stream().sorted(Comparator.comparing(Flag::name)).forEach(f -> map.put(f.name(), f));
    return new FlagSnapshot(Collections.unmodifiableMap(map), loadedAt);
  }

  /** The flag of that name, or null when there is none. */
  public Flag get(String name) {
    return name == null ? null : byName.get(name);
  }

  /** All flags, ordered by name. */
  public Collection<Flag> flags() {
    return byName.values();
  }

  public int size() {
    return byName.size();
  }

  /** When the node read this state from PostgreSQL. */
  public Instant loadedAt() {
    return loadedAt;
  }
}
