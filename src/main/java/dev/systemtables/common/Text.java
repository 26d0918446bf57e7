package dev.systemtables.common;

/**
 * Rules for text that names or identifies something (a token's {@code sub}, a JSON member).
 *
 * <p>Why: Java strings may hold a lone UTF-16 surrogate, which no UTF-8 encoder can write. The
 * PostgreSQL driver and every other UTF-8 writer replace it with {@code ?}, so {@code "alice\ud800"}
 * and {@code "alice?"} would become one user. Refusing such text at the edge keeps two different
 * inputs from ever meaning the same thing.
 */
public final class Text {

  private Text() {
  }

  /** The index of the first unpaired surrogate in {@code s}, or -1 when every surrogate is paired. */
  public static int loneSurrogate(CharSequence s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
        } else {
          return i;
        }
      } else if (Character.isLowSurrogate(c)) {
        return i;
      }
    }
    return -1;
  }

  /** The index of the first control character (C0 including NUL, DEL, C1) in {@code s}, or -1. */
  public static int controlCharacter(CharSequence s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.getType(s.charAt(i)) == Character.CONTROL) return i;
    }
    return -1;
  }

  /**
   * Why {@code s} cannot serve as an identifier, or null when it can: it must not be blank and must
   * hold neither control characters nor lone surrogates.
   */
  public static String identifierProblem(String s) {
    if (s == null || s.isBlank()) return "is empty";
    if (controlCharacter(s) >= 0) return "contains a control character";
    if (loneSurrogate(s) >= 0) return "contains a lone UTF-16 surrogate";
    return null;
  }
}
