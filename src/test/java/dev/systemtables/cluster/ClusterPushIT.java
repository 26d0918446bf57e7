package dev.systemtables.cluster;

import dev.systemtables.testing.AppProcess;
import dev.systemtables.testing.BridgeClient;
import dev.systemtables.testing.Resp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static dev.systemtables.cluster.ClusterNodes.eventually;
import static dev.systemtables.cluster.ClusterNodes.members;
import static dev.systemtables.cluster.ClusterNodes.token;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Browser pushes across a two-process cluster: a socket on node B gets what is created through node A, and a
 * browser whose node is killed reconnects to the survivor and catches up with {@code after} without losing
 * a notification. Sockets are raw bridge WebSockets ({@link BridgeClient}), as the official client opens them.
 *
 * <p>A new REGISTER takes effect on the other node once the subscription has spread through the cluster,
 * and the bridge acknowledges nothing; so the first message of each socket is awaited by publishing until
 * one arrives (every one of those notifications is accounted for like the others).
 */
@Tag("slow")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@DisplayName("Pushes across the cluster: a browser on node B, a notification created through node A, a node lost")
class ClusterPushIT {

  private static final Duration PUSH_WAIT = Duration.ofSeconds(10);
  /**
   * Right after a node is killed the cluster is still dropping it; a generous bound, since the point here
   * is that nothing is lost (pushes reach the survivor's sockets through its start-up subscription).
   */
  private static final Duration AFTER_LOSS_WAIT = Duration.ofSeconds(30);
  private static final String ADMIN = token(ClusterNodes.unique("admin"), "ADMIN");

  private static ClusterNodes cluster;
  private static AppProcess a;
  private static AppProcess b;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = ClusterNodes.start(2, new JsonObject());
    a = cluster.node(0);
    b = cluster.node(1);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) cluster.close();
  }

  @Test
  @Order(1)
  @DisplayName("A browser socket on node B receives the notification created through node A's REST API, with the unread count")
  void notificationCreatedOnACrossesToB() throws Exception {
    String user = "push-cross";
    createUser(a, user);
    List<String> created = new ArrayList<>();
    try (BridgeClient socket = BridgeClient.connect(b.baseUrl())) {
      socket.register(address(user), token(user, "VIEWER"));
      firstPush(socket, a, user, created);

      String id = notify(a, user, "Royalty statement ready", created);
      JsonObject push = socket.awaitMessage(address(user), m -> id.equals(notificationId(m)), PUSH_WAIT);
      assertThat(push.getString("event")).isEqualTo("notification.created");
      JsonObject n = push.getJsonObject("notification");
      assertThat(n.getString("userId")).isEqualTo(user);
      assertThat(n.getString("title")).isEqualTo("Royalty statement ready");
      assertThat(n.getString("type")).isEqualTo("SYSTEM");
      assertThat(n.getBoolean("read")).isFalse();
      assertThat(push.getInteger("unreadCount")).as("every notification created so far is unread").isEqualTo(created.size());
      assertThat(socket.closed()).isNotDone();
    }
  }

  @Test
  @Order(2)
  @DisplayName("A flag changed through node A reaches a socket on node B as flags.changed, naming the flag only")
  void flagChangeSignalCrossesToB() throws Exception {
    String name = "push-cross-flag";
    Resp createdFlag = a.post("/api/v1/flags", ADMIN, new JsonObject().put("name", name).put("enabled", false)
        .put("conditions", new JsonObject().put("userIds", new JsonArray().add("secret-user"))).encode());
    assertThat(createdFlag.status()).as(createdFlag.toString()).isEqualTo(201);
    String id = createdFlag.data().getString("id");
    try (BridgeClient socket = BridgeClient.connect(b.baseUrl())) {
      socket.register("flags.changed", token("flag-watcher", "VIEWER"));
      JsonObject signal = null;
      for (int i = 0; i < 20 && signal == null; i++) {
        Resp patch = a.patch("/api/v1/flags/" + id, ADMIN, new JsonObject().put("description", "change " + i).encode());
        assertThat(patch.status()).as(patch.toString()).isEqualTo(200);
        JsonObject frame = socket.next(BridgeClient.pushOn("flags.changed"), Duration.ofMillis(500));
        if (frame != null) signal = frame.getJsonObject("body");
      }
      assertThat(signal).as("a flags.changed signal on node B; frames: " + socket.seen()).isNotNull();
      assertThat(signal.getString("event")).isEqualTo("flags.changed");
      assertThat(signal.getJsonArray("names")).contains(name);
      assertThat(signal.encode()).doesNotContain("secret-user").doesNotContain("conditions");
    }
  }

  @Test
  @Order(3)
  @DisplayName("A browser on a killed node reconnects to the survivor, catches up with after, and loses no notification")
  void reconnectAfterNodeLossLosesNothing() throws Exception {
    // Unique per run: the shared Redis keeps inbox counters between runs, and a fresh database would not match them.
    String user = ClusterNodes.unique("push-reconnect");
    createUser(b, user);
    String token = token(user, "VIEWER");
    List<String> created = new ArrayList<>();
    Set<String> received = new LinkedHashSet<>();
    String lastSeen;

    try (BridgeClient onA = BridgeClient.connect(a.baseUrl())) {
      onA.register(address(user), token);
      received.add(firstPush(onA, b, user, created));
      // The page's list (newest first) shows what was created before the socket was live; its newest
      // entry is where a catch-up starts.
      List<String> firstPage = page(a, token);
      received.addAll(firstPage);
      lastSeen = firstPage.get(0);

      a.kill();
      a.waitForExit(Duration.ofSeconds(30));
      assertThat(onA.closed().get(30, java.util.concurrent.TimeUnit.SECONDS)).as("the browser notices").isNotNull();
    }

    // While the browser is away, on the node that is left.
    for (int i = 0; i < 3; i++) notify(b, user, "While away " + i, created);

    try (BridgeClient onB = BridgeClient.connect(b.baseUrl())) {
      // As the bell page: register, and catch up once the register is acknowledged, so nothing falls in between.
      onB.register(address(user), token);
      onB.awaitRegistered(address(user), AFTER_LOSS_WAIT);
      received.addAll(catchUp(b, token, lastSeen));
      assertThat(received).as("caught up after the reconnect").containsAll(created);

      String live = notify(b, user, "After the reconnect", created);
      JsonObject push = onB.awaitMessage(address(user), m -> live.equals(notificationId(m)), AFTER_LOSS_WAIT);
      received.add(notificationId(push));
      assertThat(push.getInteger("unreadCount")).isEqualTo(created.size());
    }

    assertThat(received).as("every notification created reached the browser, by push or by catch-up")
        .containsExactlyInAnyOrderElementsOf(created);
    assertThat(catchUp(b, token, created.get(0))).as("the server holds them all")
        .containsExactlyInAnyOrderElementsOf(created.subList(1, created.size()));
    eventually("the survivor counts itself alone", Duration.ofSeconds(30), () -> members(b) == 1);
  }

  /**
   * Creates notifications through {@code via} until the socket gets one (the subscription has spread);
   * returns the id of the one received.
   */
  private static String firstPush(BridgeClient socket, AppProcess via, String user, List<String> created)
      throws InterruptedException {
    for (int i = 0; i < 20; i++) {
      notify(via, user, "Warm-up " + i, created);
      JsonObject frame = socket.next(BridgeClient.pushOn(address(user)), Duration.ofMillis(500));
      if (frame != null) {
        String id = notificationId(frame.getJsonObject("body"));
        assertThat(created).contains(id);
        return id;
      }
    }
    throw new AssertionError("no push within 20 notifications; frames: " + socket.seen());
  }

  /** The caller's first page of notifications, as ids. */
  private static List<String> page(AppProcess node, String token) {
    Resp r = node.get("/api/v1/notifications?page=1&pageSize=100", token);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    List<String> ids = new ArrayList<>();
    r.json().getJsonArray("data").forEach(n -> ids.add(((JsonObject) n).getString("id")));
    return ids;
  }

  /** The caller's notifications newer than {@code after}, as ids. */
  private static List<String> catchUp(AppProcess node, String token, String after) {
    Resp r = node.get("/api/v1/notifications?after=" + after + "&pageSize=100", token);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    List<String> ids = new ArrayList<>();
    r.json().getJsonArray("data").forEach(n -> ids.add(((JsonObject) n).getString("id")));
    return ids;
  }

  private static String notify(AppProcess node, String user, String title, List<String> created) {
    Resp r = node.post("/api/v1/notifications", ADMIN, new JsonObject().put("userId", user).put("type", "SYSTEM")
        .put("title", title).put("message", "cluster test").encode());
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    assertThat(r.data().getInteger("created")).isEqualTo(1);
    String id = r.data().getJsonArray("notificationIds").getString(0);
    created.add(id);
    return id;
  }

  private static void createUser(AppProcess node, String user) {
    Resp r = node.put("/api/v1/users/" + user, ADMIN, "{\"role\":\"VIEWER\"}");
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
  }

  private static String address(String user) {
    return "notifications.user." + user;
  }

  private static String notificationId(JsonObject pushBody) {
    JsonObject n = pushBody.getJsonObject("notification");
    return n == null ? null : n.getString("id");
  }
}
