package dev.systemtables.users;

import dev.systemtables.auth.Caller;
import dev.systemtables.common.ApiException;
import dev.systemtables.common.Page;
import io.vertx.core.Future;

import java.util.List;

/** The directory's operations: each is one statement of {@link UserStore}. */
final class UserServiceImpl implements UserService {

  private final UserStore store;

  UserServiceImpl(UserStore store) {
    this.store = store;
  }

  @Override
  public Future<User> upsert(User user) {
    return store.upsert(user);
  }

  @Override
  public Future<Integer> upsertMany(List<User> users) {
    return store.upsertMany(users);
  }

  @Override
  public Future<User> get(String id) {
    return store.get(id).compose(user -> user != null ? Future.succeededFuture(user)
        : Future.failedFuture(ApiException.notFound("no user " + id)));
  }

  @Override
  public Future<Page<User>> search(UserQuery query) {
    return store.search(query);
  }

  @Override
  public Future<Void> recordCaller(Caller caller) {
    return store.recordCaller(caller);
  }
}
