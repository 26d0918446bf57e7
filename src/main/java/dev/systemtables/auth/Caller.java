package dev.systemtables.auth;

import java.util.Map;

/**
 * The caller as the service understands its token.
 *
 * @param sub       user id ({@code sub} claim)
 * @param role      role claim
 * @param brandId   optional {@code brandId} claim
 * @param creatorId optional {@code creatorId} claim
 * @param claims    every claim of the token (flag custom conditions may look at any of them)
 */
public record Caller(String sub, Role role, String brandId, String creatorId, Map<String, Object> claims) {

  public Caller {
    claims = claims == null ? Map.of() : Map.copyOf(claims);
  }

  public boolean isAdmin() {
    return role == Role.ADMIN;
  }

  /** What the users directory stores about this caller; a change means it must be written again. */
  public String directoryFingerprint() {
    return role + "|" + (brandId == null ? "" : brandId) + "|" + (creatorId == null ? "" : creatorId);
  }
}
