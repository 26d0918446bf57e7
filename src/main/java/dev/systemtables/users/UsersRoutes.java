package dev.systemtables.users;

import dev.systemtables.common.Check;
import dev.systemtables.common.Fields;
import dev.systemtables.http.Access;
import dev.systemtables.http.Api;
import dev.systemtables.http.Reply;
import dev.systemtables.http.Request;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** HTTP adapter of the users directory: {@code PUT /users/{id}} and {@code PUT /users} (ADMIN). */
public final class UsersRoutes {

  private final UserService users;
  private final CallerRecorder recorder;

  public UsersRoutes(UserService users, CallerRecorder recorder) {
    this.users = users;
    this.recorder = recorder;
  }

  public void mount(Api api) {
    api.route(HttpMethod.PUT, "/users/:id", Access.ADMIN, this::upsertOne);
    api.route(HttpMethod.PUT, "/users", Access.ADMIN, this::upsertMany);
  }

  private Future<Reply> upsertOne(Request req) {
    User user = User.fromJson(req.json(), req.pathParam("id"), "");
    return users.upsert(user)
        .onSuccess(x -> recorder.forget(List.of(user.id())))
        .map(stored -> Reply.ok(stored.toJson()));
  }

  private Future<Reply> upsertMany(Request req) {
    JsonArray list = Check.required("users", Fields.optionalArray(req.json(), "users"));
    Check.that(!list.isEmpty(), "users must not be empty");
    Check.that(list.size() <= User.MAX_BULK, "users must hold at most " + User.MAX_BULK + " entries");
    List<User> batch = new ArrayList<>(list.size());
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      String prefix = "users[" + i + "].";
      Check.that(list.getValue(i) instanceof JsonObject, "users[" + i + "] must be an object");
      JsonObject entry = list.getJsonObject(i);
      User user = User.fromJson(entry, Fields.optionalString(entry, prefix, "id"), prefix);
      Check.that(seen.add(user.id()), prefix + "id '" + user.id() + "' appears more than once");
      batch.add(user);
    }
    return users.upsertMany(batch)
        .onSuccess(x -> recorder.forget(seen))
        .map(n -> Reply.ok(new JsonObject().put("upserted", n)));
  }
}
