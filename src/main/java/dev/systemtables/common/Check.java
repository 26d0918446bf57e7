package dev.systemtables.common;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The one validation helper of every domain: each check either returns the (converted) value or
 * throws {@link BadInput} whose message starts with the field's name. Domain rule classes
 * ({@code NotificationRules}, {@code FlagRules}, ...) hold only what is specific to them and use these.
 */
public final class Check {

  /** Ids of users, notifications and the like: the users directory's limit. */
  public static final int MAX_ID_LENGTH = 255;

  private Check() {
  }

  /** Throws {@link BadInput} with this detail unless the condition holds. */
  public static void that(boolean condition, String detail) {
    if (!condition) throw new BadInput(detail);
  }

  /** The value, or {@code "<field> is required"} when it is null. */
  public static <T> T required(String field, T value) {
    if (value == null) throw new BadInput(field + " is required");
    return value;
  }

  /** Required text of 1..max characters (Unicode code points), not only white space. */
  public static String text(String field, String value, int max) {
    required(field, value);
    that(!value.isBlank(), field + " must not be empty");
    that(value.codePointCount(0, value.length()) <= max, field + " must be at most " + max + " characters");
    return value;
  }

  /** Optional text (null passes) of at most {@code max} characters. */
  public static String optionalText(String field, String value, int max) {
    if (value != null) that(value.codePointCount(0, value.length()) <= max, field + " must be at most " + max + " characters");
    return value;
  }

  /** An id: 1–255 characters, no control characters. */
  public static String id(String field, String value) {
    that(value != null && !value.isEmpty(), field + " is required");
    that(value.length() <= MAX_ID_LENGTH, field + " must be at most " + MAX_ID_LENGTH + " characters");
    that(noControl(value), field + " must not contain control characters");
    return value;
  }

  /** Whether the text holds no ISO control character. */
  public static boolean noControl(String value) {
    for (int i = 0; i < value.length(); i++) {
      if (Character.isISOControl(value.charAt(i))) return false;
    }
    return true;
  }

  /** The constant of {@code type} named {@code value} exactly; null for null. */
  public static <E extends Enum<E>> E oneOf(String field, String value, Class<E> type) {
    if (value == null) return null;
    for (E constant : type.getEnumConstants()) {
      if (constant.name().equals(value)) return constant;
    }
    throw new BadInput(field + " must be one of " + names(type));
  }

  /** The names of an enum's constants, comma separated, for messages. */
  public static String names(Class<? extends Enum<?>> type) {
    return Arrays.stream(type.getEnumConstants()).map(Enum::name).collect(Collectors.joining(", "));
  }

  /** An integer within [min, max]. */
  public static int range(String field, int value, int min, int max) {
    that(value >= min && value <= max, field + " must be between " + min + " and " + max);
    return value;
  }

  /** A query parameter meant as an integer in [min, max]; {@code fallback} when absent. */
  public static int intParam(String field, String text, int fallback, int min, int max) {
    if (text == null) return fallback;
    int n;
    try {
      n = Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      throw new BadInput(field + " must be an integer between " + min + " and " + max);
    }
    return range(field, n, min, max);
  }

  /** A query parameter meant as a boolean: exactly {@code true} or {@code false}; null when absent. */
  public static Boolean booleanParam(String field, String text) {
    if (text == null) return null;
    if ("true".equals(text)) return true;
    if ("false".equals(text)) return false;
    throw new BadInput(field + " must be true or false");
  }
}
