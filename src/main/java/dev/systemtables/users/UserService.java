package dev.systemtables.users;

import dev.systemtables.auth.Caller;
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

  /** Records a caller as its token describes it, keeping an email an admin gave; writes only on change. */
  Future<Void> recordCaller(Caller caller);
}
