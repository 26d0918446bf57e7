package dev.systemtables.http;

import dev.systemtables.auth.Caller;
import dev.systemtables.auth.Role;

import java.util.EnumSet;
import java.util.Set;

/** Which roles may call an endpoint. */
public record Access(Set<Role> roles) {

  public static final Access ANY = new Access(EnumSet.allOf(Role.class));
  public static final Access ADMIN = new Access(EnumSet.of(Role.ADMIN));

  public boolean allows(Caller caller) {
    return roles.contains(caller.role());
  }
}
