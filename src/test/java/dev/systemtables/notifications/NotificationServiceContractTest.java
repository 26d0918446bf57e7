package dev.systemtables.notifications;

import dev.systemtables.Application;
import dev.systemtables.auth.Role;
import dev.systemtables.common.ApiException;
import dev.systemtables.common.ErrorCode;
import dev.systemtables.common.Page;
import dev.systemtables.push.Pushes;
import dev.systemtables.testing.TestApp;
import dev.systemtables.users.User;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The notification domain through its service interface, as every door calls it: records in and out,
 * catalog errors, and the push that carries the same record REST lists. The node runs only the two
 * domains the calls need.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("NotificationService: the domain's contract, called through its typed interface")
class NotificationServiceContractTest {

  static TestApp app;
  static NotificationService notifications;

  @BeforeAll
  static void start() {
    app = TestApp.start(Map.of(), new JsonObject(), EnumSet.of(Application.Part.USERS, Application.Part.NOTIFICATIONS));
    notifications = app.app().node().domains().notifications();
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  static String user() {
    String id = "contract-" + UUID.randomUUID();
    app.app().node().domains().users().upsert(new User(id, Role.VIEWER, null, null, null, null, null)).await();
    return id;
  }

  static NewNotification to(String userId, String title) {
    return new NewNotification(new NewNotification.Users(List.of(userId)), Notification.Type.SYSTEM, title, "m",
        "/x", Notification.Priority.HIGH, new JsonObject().put("k", 1));
  }

  @Test
  @DisplayName("A created notification is pushed and listed as the same record, with the same JSON")
  void createdPushedListed(VertxTestContext ctx) {
    String user = user();
    Promise<JsonObject> pushed = Promise.promise();
    MessageConsumer<JsonObject> pushes = app.app().vertx().eventBus().<JsonObject>consumer(Pushes.FANOUT, m -> {
      if (user.equals(m.body().getString("userId"))) pushed.tryComplete(m.body().getJsonObject("event"));
    });
    Future<Delivery> delivered = pushes.completion().compose(x -> notifications.create("admin", to(user, "contract")));
    Future<Page<Notification>> listed = delivered.compose(d -> notifications.list(user, NotificationQuery.fromParams(p -> null)));
    Future.all(delivered, listed, pushed.future()).onComplete(ctx.succeeding(all -> ctx.verify(() -> {
      pushes.unregister();
      Notification n = listed.result().items().get(0);
      assertThat(listed.result().total()).isEqualTo(1);
      assertThat(delivered.result().created()).isEqualTo(1);
      assertThat(delivered.result().notificationIds()).containsExactly(n.id());
      assertThat(n.userId()).isEqualTo(user);
      assertThat(n.priority()).isEqualTo(Notification.Priority.HIGH);
      assertThat(n.metadata()).isEqualTo(new JsonObject().put("k", 1));
      assertThat(n.read()).isFalse();
      assertThat(pushed.future().result().getJsonObject("notification")).isEqualTo(n.toJson());
      assertThat(pushed.future().result().getLong("unreadCount")).isEqualTo(1);
      ctx.completeNow();
    })));
  }

  @Test
  @DisplayName("Another user's notification is NOT_FOUND to mark and to delete, exactly like an unknown id")
  void ownership(VertxTestContext ctx) {
    String owner = user();
    String other = user();
    Checkpoint refused = ctx.checkpoint(3);
    notifications.create("admin", to(owner, "private")).onComplete(ctx.succeeding(d -> {
      String id = d.notificationIds().get(0);
      for (Future<?> call : List.of(notifications.markRead(other, id), notifications.delete(other, id),
          notifications.markRead(other, "no-such-id"))) {
        call.onComplete(ctx.failing(t -> ctx.verify(() -> {
          assertThat(t).isInstanceOf(ApiException.class);
          assertThat(((ApiException) t).code()).isEqualTo(ErrorCode.NOT_FOUND);
          refused.flag();
        })));
      }
    }));
  }

  @Test
  @DisplayName("Listed recipients missing from the directory are named in the error's extras, and nothing is created")
  void unknownRecipients(VertxTestContext ctx) {
    String known = user();
    NewNotification n = new NewNotification(new NewNotification.Users(List.of(known, "ghost-" + UUID.randomUUID())),
        Notification.Type.SYSTEM, "t", "m", null, Notification.Priority.MEDIUM, null);
    Checkpoint refused = ctx.checkpoint();
    notifications.create("admin", n)
        .<Void>transform(ar -> {
          ctx.verify(() -> {
            assertThat(ar.failed()).isTrue();
            ApiException e = (ApiException) ar.cause();
            assertThat(e.code()).isEqualTo(ErrorCode.UNPROCESSABLE);
            assertThat(e.extra().getJsonArray("unknownUserIds")).hasSize(1);
          });
          refused.flag();
          return Future.succeededFuture();
        })
        .compose(x -> notifications.unreadCount(known))
        .onComplete(ctx.succeeding(count -> ctx.verify(() -> {
          assertThat(count).as("nothing was created for the known recipient either").isZero();
          ctx.completeNow();
        })));
  }
}
