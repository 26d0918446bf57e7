package dev.systemtables.users;

import java.util.Set;

/** Validation rules of the users directory, as plain Java. Each method returns an error detail or null. */
public final class UserRules {

  public static final int MAX_BULK = 10_000;
  public static final int MAX_ID_LENGTH = 255;
  private static final Set<String> ROLES = Set.of("ADMIN", "CREATOR", "BRAND", "VIEWER");

  private UserRules() {
  }

  public static String checkId(String field, String id) {
    if (id == null || id.isEmpty()) return field + " is required";
    if (id.length() > MAX_ID_LENGTH) return field + " must be at most " + MAX_ID_LENGTH + " characters";
    for (int i = 0; i < id.length(); i++) {
      if (Character.isISOControl(id.charAt(i))) return field + " must not contain control characters";
    }
    return null;
  }

  public static String checkRole(String field, String role) {
    if (role == null) return field + " is required";
    if (!ROLES.contains(role)) return field + " must be one of ADMIN, CREATOR, BRAND, VIEWER";
    return null;
  }

  public static String checkOptionalText(String field, String value, int max) {
    if (value != null && value.length() > max) return field + " must be at most " + max + " characters";
    return null;
  }

  public static String checkEmail(String field, String email) {
    if (email == null) return null;
    if (email.length() > 320 || !email.matches("[^@\\s]+@[^@\\s]+")) return field + " must be an email address";
    return null;
  }
}
