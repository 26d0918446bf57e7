package dev.systemtables.flags;

import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

/**
 * Every flag and segment of the service at one moment, by name, immutable. Evaluations read a snapshot
 * without locks or I/O; a change of a flag or of a segment replaces the whole snapshot (see {@link FlagSnapshots}).
 */
public final class FlagSnapshot {

  /** What a node holds before its first load. */
  public static final FlagSnapshot EMPTY = new FlagSnapshot(Map.of(), Map.of(), Instant.EPOCH);

  /** A flag and its name as a JSON object key ({@code "name":}), encoded once for every answer that lists it. */
  public record Entry(Flag flag, String jsonKey) {
  }

  private final Map<String, Flag> byName;
  private final Map<String, Segment> segments;
  /** Rule flags compiled against this snapshot's segments, by name (legacy flags need no compiling). */
  private final Map<String, CompiledFlag> compiled;
  private final List<Entry> entries;
  private final Instant loadedAt;
  /** See {@link #repeatable()}: worked out once here, read on every {@code GET /flags/enabled}. */
  private final boolean repeatable;

  private FlagSnapshot(Map<String, Flag> byName, Map<String, Segment> segments, Instant loadedAt) {
    this.byName = byName;
    this.segments = segments;
    Map<String, CompiledFlag> c = new java.util.HashMap<>();
    for (Flag f : byName.values()) {
      if (!f.legacy()) c.put(f.name(), new CompiledFlag(f, this));
    }
    this.compiled = c;
    this.entries = byName.values().stream().map(f -> new Entry(f, "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(f.name())) + "\":")).toList();
    this.loadedAt = loadedAt;
    this.repeatable = repeatable(byName, c);
  }

  private static boolean repeatable(Map<String, Flag> byName, Map<String, CompiledFlag> compiled) {
    for (CompiledFlag f : compiled.values()) {
      if (f.readsClock() || f.rolloutMayBeRandom()) return false;
    }
    for (Flag f : byName.values()) {
      for (Dependency d : f.dependencies()) {
        if (d.variants().isEmpty()) continue;
        CompiledFlag parent = compiled.get(d.flag());
        if (parent != null && parent.variantMayBeRandom()) return false;
      }
    }
    return true;
  }

  /** A snapshot of these flags (names are unique), ordered by name. */
  public static FlagSnapshot of(Collection<Flag> flags, Instant loadedAt) {
    return of(flags, List.of(), loadedAt);
  }

  /** A snapshot of these flags and segments (names unique within each), flags ordered by name. */
  public static FlagSnapshot of(Collection<Flag> flags, Collection<Segment> segments, Instant loadedAt) {
    Map<String, Flag> map = new LinkedHashMap<>();
    flags.stream().sorted(Comparator.comparing(Flag::name)).forEach(f -> map.put(f.name(), f));
    Map<String, Segment> bySegmentName = new LinkedHashMap<>();
    segments.stream().sorted(Comparator.comparing(Segment::name)).forEach(s -> bySegmentName.put(s.name(), s));
    return new FlagSnapshot(Collections.unmodifiableMap(map), Collections.unmodifiableMap(bySegmentName), loadedAt);
  }

  /** The compiled form of a rule flag of this snapshot; null for legacy or unknown flags. */
  CompiledFlag compiled(String name) {
    return name == null ? null : compiled.get(name);
  }

  /** The segment of that name, or null when there is none. */
  public Segment segment(String name) {
    return name == null ? null : segments.get(name);
  }

  /** All segments, ordered by name. */
  public Collection<Segment> segments() {
    return segments.values();
  }

  /** All flags with their JSON keys, ordered by name. */
  public List<Entry> entries() {
    return entries;
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

  /**
   * Whether every flag's on/off is a function of the caller's token alone, for a caller with a user id: no DATE_*
   * constraint (it reads the clock), no rollout on {@code random} stickiness, and no dependency on a variant that
   * may be drawn at random. Only then may an answer be stored and given again ({@link FlagAnswers}).
   */
  public boolean repeatable() {
    return repeatable;
  }

  /**
   * Whether the other snapshot holds exactly the same flags and segments (every field, bookkeeping included), so
   * that every answer under it is the same: the periodic reload builds such a snapshot when nothing changed.
   */
  boolean sameContent(FlagSnapshot other) {
    return other == this || (byName.equals(other.byName) && segments.equals(other.segments));
  }

  /** When the node read this state from PostgreSQL. */
  public Instant loadedAt() {
    return loadedAt;
  }
}
