package dev.systemtables.auth;

/**
 * The roles a token may carry. {@link #SERVICE} is a machine caller (another backend service): it may call
 * what any non-admin role may, and on the OFREP endpoints it, like {@link #ADMIN}, evaluates the context it
 * sends rather than its own claims (README "OpenFeature (OFREP)").
 */
public enum Role {
  ADMIN, CREATOR, BRAND, VIEWER, SERVICE;

  /** The role for a claim value, or null when it is not one of ours. */
  public static Role parse(Object value) {
    if (!(value instanceof String s)) return null;
    for (Role r : values()) {
      if (r.name().equals(s)) return r;
    }
    return null;
  }
}
