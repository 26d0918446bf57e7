package dev.systemtables.users;

import dev.systemtables.auth.Caller;
import dev.systemtables.common.Page;
import io.vertx.core.Future;

import java.util.List;

/**
 * The users directory's operations, served by {@link UsersVerticle} on every event loop. Role broadcasts
 * read the directory; admins write it; every authenticated caller is recorded in it.
 */
public interface UserService {

  /** Creates or replaces one user; the stored user. */
  Future<User> upsert(User user);

  /** Creates or replaces up to {@link User#MAX_BULK} users (distinct ids) in one statement; how many. */
  Future<Integer> upsertMany(List<User> users);

  /** One user; {@code NOT_FOUND} when the directory has none with this id. */
  Future<User> get(String id);

  /**
   * One page of the users matching the query, ordered by id, and how many match in all. The text is a
   * case-insensitive substring of the id, email, brand or creator (a sequential scan: meant for an admin's
   * search box, not a hot path).
   */
  Future<Page<User>> search(UserQuery query);

  /** Records a caller as its token describes it, keeping an email an admin gave; writes only on change. */
  Future<Void> recordCaller(Caller caller);
}
