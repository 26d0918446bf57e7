package dev.systemtables.flags;

/**
 * The result of evaluating one flag for one caller.
 *
 * @param flag      the flag name asked for
 * @param enabled   whether the flag is on for the caller (a rule matched)
 * @param value     the variant's value (of the flag's type); null on ERROR
 * @param variant   the variant's name ({@code "on"}/{@code "off"} for boolean flags without variants); null on ERROR
 * @param errorCode null unless {@code reason} is {@link Reason#ERROR}: {@code FLAG_NOT_FOUND}, {@code TYPE_MISMATCH},
 *                  {@code GENERAL}…
 */
public record Evaluation(String flag, boolean enabled, Object value, String variant, Reason reason, String errorCode) {

  /** The answer for a name the snapshot does not hold. */
  public static Evaluation notFound(String flag) {
    return new Evaluation(flag, false, null, null, Reason.ERROR, "FLAG_NOT_FOUND");
  }

  /** An answer giving this variant. */
  static Evaluation of(String flag, boolean enabled, Variant variant, Reason reason) {
    return new Evaluation(flag, enabled, variant.value(), variant.name(), reason, null);
  }
}
