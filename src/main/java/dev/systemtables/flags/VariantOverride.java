package dev.systemtables.flags;

import java.util.List;

/**
 * An Unleash variant override: the variant holding it is forced when context field {@code contextName}
 * equals one of {@code values}.
 */
public record VariantOverride(String contextName, List<String> values) {

  public VariantOverride {
    values = values == null ? List.of() : List.copyOf(values);
  }
}
