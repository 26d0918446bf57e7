package dev.systemtables.trpc;

import dev.systemtables.Domains;
import dev.systemtables.common.Check;
import dev.systemtables.common.Fields;
import dev.systemtables.flags.FlagEvaluator;
import dev.systemtables.flags.FlagJson;
import dev.systemtables.flags.FlagPatch;
import dev.systemtables.flags.FlagRoutes;
import dev.systemtables.flags.FlagSnapshots;
import dev.systemtables.flags.NewFlag;
import dev.systemtables.http.Access;
import dev.systemtables.idempotency.IdempotencyRules;
import dev.systemtables.notifications.NewNotification;
import dev.systemtables.notifications.NotificationQuery;
import dev.systemtables.notifications.NotificationRoutes;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The procedures of the original TypeScript module's {@code system} router, with its inputs and outputs: each
 * output is {@code {"data": ...}} as the original returned it. They are thin: every one parses its input with
 * the domain's own parser and calls the same domain operation as REST ({@link Domains}; flag evaluation from the
 * node's {@link FlagSnapshots}), so rules, rate limits and ownership are the same through either door. Every
 * procedure needs a valid token; the admin ones need {@code ADMIN}, as the matching REST endpoints do.
 *
 * <p>The TypeScript type of this router is {@code clients/trpc/src/index.ts}: change both together.
 */
public final class SystemRouter {

  private static final JsonObject SUCCESS = new JsonObject().put("success", true);

  private final Map<String, Procedure> procedures = new LinkedHashMap<>();

  public SystemRouter(Domains domains, FlagSnapshots flags) {
    var idempotency = domains.idempotency();
    var flagAdmin = domains.flags();
    var notifications = domains.notifications();

    query("system.idempotency.check", Access.ANY, Set.of("key"), List.of("data.createdAt", "data.expiresAt"),
        (caller, in) -> idempotency.lookup(caller.sub(), IdempotencyRules.key("key", Fields.optionalString(in, "key")))
            .map(r -> data(r == null ? null : r.toJson())));

    query("system.featureFlags.isEnabled", Access.ANY, Set.of("flagName"), List.of(), (caller, in) -> {
      String name = Check.required("flagName", Fields.optionalString(in, "flagName"));
      boolean on = FlagEvaluator.isEnabled(flags.current(), name, FlagRoutes.subject(caller));
      return Future.succeededFuture(data(new JsonObject().put("enabled", on)));
    });
    List<String> flagDates = List.of("data.createdAt", "data.updatedAt");
    query("system.featureFlags.list", Access.ADMIN, null, List.of("data.*.createdAt", "data.*.updatedAt"),
        (caller, in) -> flagAdmin.list().map(all -> {
          JsonArray out = new JsonArray();
          all.forEach(f -> out.add(FlagJson.toJson(f)));
          return data(out);
        }));
    mutation("system.featureFlags.create", Access.ADMIN, Set.of("name", "enabled", "description", "conditions",
        "rolloutPercentage"), flagDates,
        (caller, in) -> flagAdmin.create(caller.sub(), NewFlag.fromJson(in)).map(f -> data(FlagJson.toJson(f))));
    // The flag's id travels in the input here (REST has it in the path); FlagPatch ignores it as a read-only field.
    mutation("system.featureFlags.update", Access.ADMIN, Set.of("id", "name", "enabled", "description",
        "conditions", "rolloutPercentage"), flagDates,
        (caller, in) -> flagAdmin.update(caller.sub(), Check.id("id", Fields.optionalString(in, "id")),
            FlagPatch.fromJson(in)).map(f -> data(FlagJson.toJson(f))));
    mutation("system.featureFlags.delete", Access.ADMIN, Set.of("id"), List.of(),
        (caller, in) -> flagAdmin.delete(caller.sub(), Check.id("id", Fields.optionalString(in, "id")))
            .map(x -> data(SUCCESS.copy())));

    // Every filter is optional, and so is the input itself: list() is the first page.
    procedures.put("system.notifications.list", new Procedure("system.notifications.list", Procedure.Kind.QUERY,
        Access.ANY, Set.of("read", "type", "priority", "page", "pageSize", "after"), true, (caller, in) -> {
          NotificationQuery q = NotificationQuery.fromJson(in);
          return notifications.list(caller.sub(), q).map(page -> NotificationRoutes.listBody(page, q));
        }, List.of("data.*.createdAt", "data.*.readAt")));
    query("system.notifications.getUnreadCount", Access.ANY, null, List.of(),
        (caller, in) -> notifications.unreadCount(caller.sub()).map(n -> data(new JsonObject().put("count", n))));
    mutation("system.notifications.markAsRead", Access.ANY, Set.of("notificationId"), List.of("data.readAt"),
        (caller, in) -> notifications.markRead(caller.sub(), notificationId(in)).map(r -> data(r.toJson())));
    mutation("system.notifications.markAllAsRead", Access.ANY, null, List.of(),
        (caller, in) -> notifications.markAllRead(caller.sub()).map(n -> data(new JsonObject().put("count", n))));
    mutation("system.notifications.delete", Access.ANY, Set.of("notificationId"), List.of(),
        (caller, in) -> notifications.delete(caller.sub(), notificationId(in)).map(x -> data(SUCCESS.copy())));
    mutation("system.notifications.create", Access.ADMIN, Set.of("userId", "userIds", "userRole", "type", "title",
        "message", "priority", "actionUrl", "metadata"), List.of(),
        (caller, in) -> notifications.create(caller.sub(), NewNotification.fromJson(in)).map(d -> data(d.toJson())));
  }

  /** The procedure at a dotted path, or null. */
  Procedure find(String path) {
    return procedures.get(path);
  }

  /** Every procedure, in declaration order. */
  List<Procedure> all() {
    return List.copyOf(procedures.values());
  }

  private static String notificationId(JsonObject in) {
    return Check.id("notificationId", Fields.optionalString(in, "notificationId"));
  }

  private static JsonObject data(Object value) {
    return new JsonObject().put("data", value);
  }

  private void query(String path, Access access, Set<String> input, List<String> dates, Procedure.Body body) {
    procedures.put(path, new Procedure(path, Procedure.Kind.QUERY, access, input, false, body, dates));
  }

  private void mutation(String path, Access access, Set<String> input, List<String> dates, Procedure.Body body) {
    procedures.put(path, new Procedure(path, Procedure.Kind.MUTATION, access, input, false, body, dates));
  }
}
