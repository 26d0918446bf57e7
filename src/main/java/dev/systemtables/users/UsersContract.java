package dev.systemtables.users;

/**
 * Event-bus contract of the users directory (node-local request/reply).
 *
 * <ul>
 *   <li>{@link #UPSERT}: {@code {"id", "role", "brandId"?, "creatorId"?, "email"?}} → the stored user.</li>
 *   <li>{@link #UPSERT_MANY}: {@code {"users": [user...]}} → {@code {"upserted": n}}.</li>
 *   <li>{@link #RECORD_CALLER}: {@code {"id", "role", "brandId"?, "creatorId"?}} → null; writes only on change.</li>
 * </ul>
 * Bodies are validated by {@link UserRules} before they are sent.
 */
public final class UsersContract {

  public static final String UPSERT = "users.upsert";
  public static final String UPSERT_MANY = "users.upsert-many";
  public static final String RECORD_CALLER = "users.record-caller";

  private UsersContract() {
  }
}
