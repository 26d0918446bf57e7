package dev.systemtables.flags;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The cycle check of flag dependencies, as plain Java: a flag may require parent flags, and a write that
 * would make a flag (indirectly) require itself is refused. The graph maps a flag name to the names of its
 * parents; names without an entry have no parents.
 */
public final class DependencyCycles {

  private DependencyCycles() {
  }

  /**
   * A cycle through {@code start}, as the path {@code [start, parent, ..., start]}; empty when there is none.
   * Meant for one write: the graph before it had no cycle, so any cycle after it runs through the written flag.
   */
  public static List<String> through(Map<String, ? extends Collection<String>> parents, String start) {
    // Iterative depth-first search from start, looking for an edge back to start.
    Set<String> done = new HashSet<>();
    Deque<Frame> stack = new ArrayDeque<>();
    stack.push(new Frame(start, parentsOf(parents, start)));
    while (!stack.isEmpty()) {
      Frame top = stack.peek();
      if (!top.next.hasNext()) {
        done.add(top.name);
        stack.pop();
        continue;
      }
      String parent = top.next.next();
      if (parent.equals(start)) {
        List<String> path = new ArrayList<>();
        stack.descendingIterator().forEachRemaining(f -> path.add(f.name));
        path.add(start);
        return path;
      }
      if (done.contains(parent) || onStack(stack, parent)) continue;
      stack.push(new Frame(parent, parentsOf(parents, parent)));
    }
    return List.of();
  }

  /** Any cycle of the whole graph (e.g. after an import wrote many flags at once), in the form of {@link #through}. */
  public static List<String> any(Map<String, ? extends Collection<String>> parents) {
    Set<String> acyclic = new HashSet<>();
    for (String name : parents.keySet()) {
      if (acyclic.contains(name)) continue;
      List<String> cycle = through(parents, name);
      if (!cycle.isEmpty()) return cycle;
      acyclic.add(name);
    }
    return List.of();
  }

  /** The graph with one flag's parents replaced (a write), leaving the given graph as it is. */
  public static Map<String, Collection<String>> with(Map<String, ? extends Collection<String>> parents, String flag,
                                                      Collection<String> flagParents) {
    Map<String, Collection<String>> out = new HashMap<>(parents);
    out.put(flag, flagParents == null ? List.of() : flagParents);
    return out;
  }

  private static boolean onStack(Deque<Frame> stack, String name) {
    for (Frame f : stack) {
      if (f.name.equals(name)) return true;
    }
    return false;
  }

  private static java.util.Iterator<String> parentsOf(Map<String, ? extends Collection<String>> parents, String name) {
    Collection<String> p = parents.get(name);
    return p == null ? java.util.Collections.emptyIterator() : p.iterator();
  }

  private static final class Frame {
    final String name;
    final java.util.Iterator<String> next;

    Frame(String name, java.util.Iterator<String> next) {
      this.name = name;
      this.next = next;
    }
  }
}
