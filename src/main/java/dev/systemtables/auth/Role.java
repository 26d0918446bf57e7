package dev.systemtables.auth;

/** The roles a token may carry. */
public enum Role {
  ADMIN, CREATOR, BRAND, VIEWER;

  /** The role for a claim value, or null when it is not one of ours. */
  public static Role parse(Object value) {
    if (!(value instanceof String s)) return null;
    for (Role r : values()) {
      if (r.name().equals(s)) return r;
    }
    return null;
  }
}
