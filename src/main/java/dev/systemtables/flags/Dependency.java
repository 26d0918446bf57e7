package dev.systemtables.flags;

import java.util.List;

/**
 * A flag's requirement on a parent flag: the parent must be on ({@code enabled} true) or off (false) for the
 * caller; with {@code variants} non-empty the parent must be on with one of those variants.
 *
 * @param variants never null
 */
public record Dependency(String flag, boolean enabled, List<String> variants) {

  public Dependency {
    variants = variants == null ? List.of() : List.copyOf(variants);
  }
}
