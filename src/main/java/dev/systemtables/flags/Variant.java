package dev.systemtables.flags;

import java.util.List;

/**
 * One answer a flag can give.
 *
 * @param name       unique within its list; what the evaluation reports as {@code variant}
 * @param value      of the flag's type: {@link Boolean}, {@link String}, {@link java.math.BigDecimal} (number)
 *                   or decoded JSON (a {@link java.util.Map}, a {@link java.util.List} or a scalar)
 * @param weight     0–1000 like Unleash's; the share of the variant is weight / total weight of its list
 * @param stickiness the context field whose value picks the variant: {@code "default"} (userId, then sessionId,
 *                   then remoteAddress, else random) or a field name; null means {@code "default"}. As in Unleash
 *                   only the first variant's stickiness of a list is used
 * @param overrides  fields that force this variant; never null
 */
public record Variant(String name, Object value, int weight, String stickiness, List<VariantOverride> overrides) {

  /** The "on" answer of a boolean flag without variants. */
  public static final Variant ON = new Variant("on", Boolean.TRUE);
  /** The "off" answer (default variant) of a boolean flag without one. */
  public static final Variant OFF = new Variant("off", Boolean.FALSE);

  public Variant {
    overrides = overrides == null ? List.of() : List.copyOf(overrides);
  }

  /** A variant without weight, stickiness or overrides: a default variant. */
  public Variant(String name, Object value) {
    this(name, value, 0, null, List.of());
  }

  /** A weighted variant with default stickiness and no overrides. */
  public Variant(String name, Object value, int weight) {
    this(name, value, weight, null, List.of());
  }
}
