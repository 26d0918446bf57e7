package dev.systemtables.users;

import dev.systemtables.common.ApiException;
import dev.systemtables.common.BadInput;
import dev.systemtables.common.Check;
import dev.systemtables.common.ErrorCode;
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

/**
 * HTTP adapter of the users directory (ADMIN): {@code GET /users} (search and page), {@code GET /users/{id}},
 * {@code PUT /users/{id}} and {@code PUT /users} (bulk).
 */
public final class UsersRoutes {

  /** How many bad entries of a bulk call the 400 lists in {@code errors}. */
  static final int MAX_REPORTED_ERRORS = 100;

  private final UserService users;
  private final CallerRecorder recorder;

  public UsersRoutes(UserService users, CallerRecorder recorder) {
    this.users = users;
    this.recorder = recorder;
  }

  public void mount(Api api) {
    api.route(HttpMethod.GET, "/users", Access.ADMIN, this::search);
    api.route(HttpMethod.GET, "/users/:id", Access.ADMIN, req ->
        users.get(Check.id("id", req.pathParam("id"))).map(u -> Reply.ok(u.toJson())));
    api.route(HttpMethod.PUT, "/users/:id", Access.ADMIN, this::upsertOne);
    api.route(HttpMethod.PUT, "/users", Access.ADMIN, this::upsertMany);
  }

  private Future<Reply> search(Request req) {
    UserQuery q = UserQuery.fromParams(req::query);
    return users.search(q).map(page -> {
      JsonArray items = new JsonArray(new ArrayList<>(page.items().size()));
      page.items().forEach(u -> items.add(u.toJson()));
      JsonObject meta = new JsonObject().put("pagination", new JsonObject()
          .put("page", q.page()).put("pageSize", q.pageSize())
          .put("total", page.total()).put("totalPages", (page.total() + q.pageSize() - 1) / q.pageSize()));
      return Reply.json(200, new JsonObject().put("data", items).put("meta", meta));
    });
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
    // Every bad entry is reported, not only the first, so a file can be fixed in one pass; nothing is written.
    JsonArray errors = new JsonArray();
    int bad = 0;
    for (int i = 0; i < list.size(); i++) {
      String prefix = "users[" + i + "].";
      try {
        Check.that(list.getValue(i) instanceof JsonObject, "users[" + i + "] must be an object");
        JsonObject entry = list.getJsonObject(i);
        User user = User.fromJson(entry, Fields.optionalString(entry, prefix, "id"), prefix);
        Check.that(seen.add(user.id()), prefix + "id '" + user.id() + "' appears more than once");
        batch.add(user);
      } catch (BadInput e) {
        if (bad++ < MAX_REPORTED_ERRORS) errors.add(new JsonObject().put("index", i).put("detail", e.getMessage()));
      }
    }
    if (bad > 0) {
      String first = errors.getJsonObject(0).getString("detail");
      throw new ApiException(ErrorCode.VALIDATION_FAILED,
          first + (bad > 1 ? " (and " + (bad - 1) + " more bad entries)" : "") + "; nothing was written",
          new JsonObject().put("errors", errors));
    }
    return users.upsertMany(batch)
        .onSuccess(x -> recorder.forget(seen))
        .map(n -> Reply.ok(new JsonObject().put("upserted", n)));
  }
}
