package dev.systemtables.common;

import java.util.List;

/**
 * One page of a list and the number of items the whole list holds.
 *
 * @param items the page, in the list's order
 * @param total how many items match, over every page
 */
public record Page<T>(List<T> items, long total) {

  public Page {
    items = List.copyOf(items);
  }
}
