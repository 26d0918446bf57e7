package dev.systemtables.flags;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Collection;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Dependency cycles: a flag may never (indirectly) require itself")
class DependencyCyclesTest {

  @Test
  @DisplayName("A chain without a way back has no cycle")
  void chain() {
    Map<String, List<String>> g = Map.of("a", List.of("b"), "b", List.of("c"), "c", List.of());
    assertThat(DependencyCycles.through(g, "a")).isEmpty();
    assertThat(DependencyCycles.any(g)).isEmpty();
  }

  @Test
  @DisplayName("A flag requiring itself is a cycle of one")
  void self() {
    assertThat(DependencyCycles.through(Map.of("a", List.of("a")), "a")).containsExactly("a", "a");
  }

  @Test
  @DisplayName("A write closing a longer loop is found, with the path that closes it")
  void longLoop() {
    Map<String, List<String>> before = Map.of("b", List.of("c"), "c", List.of("d"), "d", List.of("a"));
    assertThat(DependencyCycles.through(before, "a")).isEmpty();
    Map<String, Collection<String>> after = DependencyCycles.with(before, "a", List.of("x", "b"));
    assertThat(DependencyCycles.through(after, "a")).containsExactly("a", "b", "c", "d", "a");
    assertThat(DependencyCycles.any(after)).hasSize(5).contains("a", "b", "c", "d");
    // The graph given to with() is left alone.
    assertThat(before).doesNotContainKey("a");
  }

  @Test
  @DisplayName("Diamonds (two paths to one parent) are not cycles, and a cycle elsewhere does not loop the search")
  void diamondsAndForeignCycles() {
    Map<String, List<String>> diamond = Map.of("a", List.of("b", "c"), "b", List.of("d"), "c", List.of("d"));
    assertThat(DependencyCycles.through(diamond, "a")).isEmpty();
    assertThat(DependencyCycles.any(diamond)).isEmpty();
    // x <-> y is a cycle, but not one through a: the search from a must end and say so.
    Map<String, List<String>> foreign = Map.of("a", List.of("x"), "x", List.of("y"), "y", List.of("x"));
    assertThat(DependencyCycles.through(foreign, "a")).isEmpty();
    assertThat(DependencyCycles.any(foreign)).containsAnyOf("x", "y").hasSize(3);
  }

  @Test
  @DisplayName("Parents that are not in the graph (flags without dependencies) end a path")
  void unknownParents() {
    assertThat(DependencyCycles.through(Map.of("a", List.of("ghost")), "a")).isEmpty();
  }
}
