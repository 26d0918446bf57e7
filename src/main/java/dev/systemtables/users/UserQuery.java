package dev.systemtables.users;

import dev.systemtables.auth.Role;
import dev.systemtables.common.BadInput;
import dev.systemtables.common.Check;

import java.util.function.Function;

/**
 * A search of the users directory: an optional text and role, one page of the matches ordered by id.
 *
 * @param text matched, case-insensitively, as a substring of the id, email, brandId or creatorId; null for all
 * @param role null for every role
 * @param page 1-based
 */
public record UserQuery(String text, Role role, int page, int pageSize) {

  public static final int PAGE_SIZE_DEFAULT = 20;
  public static final int PAGE_SIZE_MAX = 100;
  /** Keeps {@code (page - 1) * pageSize} far from overflow. */
  public static final int PAGE_MAX = 1_000_000;
  /** A search text is at most an id long. */
  public static final int TEXT_MAX = Check.MAX_ID_LENGTH;

  public int offset() {
    return (page - 1) * pageSize;
  }

  /** Reads {@code q, role, page, pageSize}; throws {@link BadInput} naming the parameter. An empty {@code q} means all. */
  public static UserQuery fromParams(Function<String, String> param) {
    String q = param.apply("q");
    if (q != null) {
      q = q.strip();
      Check.optionalText("q", q, TEXT_MAX);
      Check.that(Check.noControl(q), "q must not contain control characters");
      if (q.isEmpty()) q = null;
    }
    Role role = Check.oneOf("role", param.apply("role"), Role.class);
    int pageSize = Check.intParam("pageSize", param.apply("pageSize"), PAGE_SIZE_DEFAULT, 1, PAGE_SIZE_MAX);
    int page = Check.intParam("page", param.apply("page"), 1, 1, PAGE_MAX);
    return new UserQuery(q, role, page, pageSize);
  }

  /** The text as a {@code LIKE} pattern matching it anywhere, its wildcards taken literally; null for none. */
  public String likePattern() {
    if (text == null) return null;
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
  }
}
