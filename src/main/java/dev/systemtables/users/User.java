package dev.systemtables.users;

import dev.systemtables.auth.Role;
import dev.systemtables.common.BadInput;
import dev.systemtables.common.Check;
import dev.systemtables.common.Fields;
import io.vertx.core.json.JsonObject;

import java.time.Instant;

/**
 * A user of the directory, the one record of the entity; {@link #toJson()} is its JSON mapping.
 *
 * @param createdAt null in a write request
 */
public record User(String id, Role role, String brandId, String creatorId, String email,
                   Instant createdAt, Instant updatedAt) {

  /** The most users one bulk call may hold. */
  public static final int MAX_BULK = 10_000;

  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id)
        .put("role", role.name())
        .put("brandId", brandId)
        .put("creatorId", creatorId)
        .put("email", email)
        .put("createdAt", createdAt == null ? null : createdAt.toString())
        .put("updatedAt", updatedAt == null ? null : updatedAt.toString());
  }

  /**
   * Reads a user to write: {@code role}, {@code brandId}?, {@code creatorId}?, {@code email}? from the body and
   * the given id; throws {@link BadInput} naming the field, each prefixed by {@code prefix} (e.g. {@code users[3].}).
   */
  public static User fromJson(JsonObject body, String id, String prefix) {
    String role = Fields.optionalString(body, prefix, "role");
    String brandId = Fields.optionalString(body, prefix, "brandId");
    String creatorId = Fields.optionalString(body, prefix, "creatorId");
    String email = Fields.optionalString(body, prefix, "email");
    Check.id(prefix + "id", id);
    Role parsed = Check.required(prefix + "role", Check.oneOf(prefix + "role", role, Role.class));
    Check.optionalText(prefix + "brandId", brandId, Check.MAX_ID_LENGTH);
    Check.optionalText(prefix + "creatorId", creatorId, Check.MAX_ID_LENGTH);
    Check.that(email == null || (email.length() <= 320 && email.matches("[^@\\s]+@[^@\\s]+")),
        prefix + "email must be an email address");
    return new User(id, parsed, brandId, creatorId, email, null, null);
  }
}
