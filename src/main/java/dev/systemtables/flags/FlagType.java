package dev.systemtables.flags;

/**
 * The type of a flag's values: every variant of a flag carries a value of this type.
 * The JSON form is the lower-case name ({@code "boolean"}, {@code "string"}, {@code "number"}, {@code "json"}).
 */
public enum FlagType {
  /** {@link Boolean} values; a boolean flag without variants answers {@code true}/"on" or {@code false}/"off". */
  BOOLEAN,
  /** {@link String} values. */
  STRING,
  /** {@link java.math.BigDecimal} values (any finite JSON number). */
  NUMBER,
  /** Decoded JSON values: a {@link java.util.Map}, a {@link java.util.List} or a scalar. */
  JSON;

  /** The JSON form, e.g. {@code "boolean"}. */
  public String json() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** The type for its JSON form, or null when {@code text} is none of them. */
  public static FlagType parse(String text) {
    if (text == null) return null;
    for (FlagType t : values()) {
      if (t.json().equals(text)) return t;
    }
    return null;
  }
}
