package dev.systemtables.users;

import dev.systemtables.common.ApiException;
import dev.systemtables.common.Bus;
import dev.systemtables.common.Fields;
import dev.systemtables.http.Access;
import dev.systemtables.http.Api;
import dev.systemtables.http.Reply;
import dev.systemtables.http.Request;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** HTTP adapter of the users directory: {@code PUT /users/{id}} and {@code PUT /users} (ADMIN). */
public final class UsersRoutes {

  private final Vertx vertx;
  private final CallerRecorder recorder;

  public UsersRoutes(Vertx vertx, CallerRecorder recorder) {
    this.vertx = vertx;
    this.recorder = recorder;
  }

  public void mount(Api api) {
    api.route(HttpMethod.PUT, "/users/:id", Access.ADMIN, this::upsertOne);
    api.route(HttpMethod.PUT, "/users", Access.ADMIN, this::upsertMany);
  }

  private Future<Reply> upsertOne(Request req) {
    JsonObject body = req.json();
    JsonObject user = validUser(body, req.pathParam("id"), "");
    return Bus.<JsonObject>request(vertx, UsersContract.UPSERT, user)
        .onSuccess(x -> recorder.forget(List.of(user.getString("id"))))
        .map(Reply::ok);
  }

  private Future<Reply> upsertMany(Request req) {
    JsonArray list = Fields.optionalArray(req.json(), "users");
    if (list == null) throw ApiException.validation("users is required");
    if (list.isEmpty()) throw ApiException.validation("users must not be empty");
    if (list.size() > UserRules.MAX_BULK) {
      throw ApiException.validation("users must hold at most " + UserRules.MAX_BULK + " entries");
    }
    JsonArray users = new JsonArray();
    List<String> ids = new ArrayList<>(list.size());
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      String prefix = "users[" + i + "].";
      if (!(list.getValue(i) instanceof JsonObject entry)) {
        throw ApiException.validation("users[" + i + "] must be an object");
      }
      JsonObject user = validUser(entry, string(entry, "id", prefix), prefix);
      if (!seen.add(user.getString("id"))) {
        throw ApiException.validation(prefix + "id '" + user.getString("id") + "' appears more than once");
      }
      users.add(user);
      ids.add(user.getString("id"));
    }
    return Bus.<JsonObject>request(vertx, UsersContract.UPSERT_MANY, new JsonObject().put("users", users))
        .onSuccess(x -> recorder.forget(ids))
        .map(Reply::ok);
  }

  private static JsonObject validUser(JsonObject body, String id, String prefix) {
    String role = string(body, "role", prefix);
    String brandId = string(body, "brandId", prefix);
    String creatorId = string(body, "creatorId", prefix);
    String email = string(body, "email", prefix);
    check(UserRules.checkId(prefix + "id", id));
    check(UserRules.checkRole(prefix + "role", role));
    check(UserRules.checkOptionalText(prefix + "brandId", brandId, UserRules.MAX_ID_LENGTH));
    check(UserRules.checkOptionalText(prefix + "creatorId", creatorId, UserRules.MAX_ID_LENGTH));
    check(UserRules.checkEmail(prefix + "email", email));
    return new JsonObject().put("id", id).put("role", role).put("brandId", brandId)
        .put("creatorId", creatorId).put("email", email);
  }

  private static String string(JsonObject body, String field, String prefix) {
    Object v = body.getValue(field);
    if (v != null && !(v instanceof String)) throw ApiException.validation(prefix + field + " must be a string");
    return (String) v;
  }

  private static void check(String error) {
    if (error != null) throw ApiException.validation(error);
  }
}
