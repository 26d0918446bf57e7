package dev.systemtables.cluster;

import dev.systemtables.testing.AppProcess;
import dev.systemtables.testing.BridgeClient;
import dev.systemtables.testing.Haproxy;
import dev.systemtables.testing.Resp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.systemtables.cluster.ClusterNodes.eventually;
import static dev.systemtables.cluster.ClusterNodes.token;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node dies under its browsers: three packaged nodes behind HAProxy ({@code deploy/haproxy.cfg}), the bell
 * page in a real headless Chromium and 200 bridge clients connected through HAProxy, then SIGKILL on the
 * browser's node. The page must reconnect through HAProxy to a survivor, register again and catch up;
 * the notifications created while it was away appear exactly once, in order, and the badge is right. The
 * 200 clients do what the page does (reconnect, register, catch up with {@code after}).
 */
@Tag("slow")
@DisplayName("A browser and 200 bridge clients outlive their node behind HAProxy")
class BrowserFailoverIT {

  static final File CHROMIUM = new File("/usr/bin/chromium");
  static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");
  private static final int CLIENTS = 200;
  /** A liveness bound, not a speed target: the page retries after 1 s, then 2 s, 4 s … */
  private static final Duration RECONNECT_BOUND = Duration.ofSeconds(20);
  private static final Duration PUSH_WAIT = Duration.ofSeconds(30);

  private static ClusterNodes cluster;
  private static Haproxy haproxy;
  private static ChromeDriver browser;
  private static Path profile;

  @BeforeAll
  static void start() throws Exception {
    assertThat(CHROMIUM).as("Debian's chromium is required (apt-get install -y chromium chromium-driver)").canRead();
    assertThat(CHROMEDRIVER).as("Debian's chromium-driver is required").canRead();
    cluster = ClusterNodes.start(3, new JsonObject());
    haproxy = cluster.behindHaproxy();
    profile = Files.createTempDirectory("chromium-profile");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--window-size=1000,900", "--user-data-dir=" + profile);
    browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER)
        .usingAnyFreePort().build(), options);
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) browser.quit();
    if (haproxy != null) haproxy.close();
    if (cluster != null) cluster.close();
    if (profile != null) {
      try (var files = Files.walk(profile)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Test
  @DisplayName("SIGKILL on the browser's node: the page and the clients on it reconnect through HAProxy, register again and catch up; every notification appears exactly once, in order, with the right badge")
  void browserAndClientsOutliveTheirNode() throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    String admin = token("bf-admin-" + run, "ADMIN");
    String pageUser = "bf-page-" + run;
    List<String> clientUsers = new ArrayList<>();
    JsonArray directory = new JsonArray().add(new JsonObject().put("id", pageUser).put("role", "CREATOR"));
    for (int i = 0; i < CLIENTS; i++) {
      clientUsers.add("bf-" + run + "-" + i);
      directory.add(new JsonObject().put("id", clientUsers.get(i)).put("role", "VIEWER"));
    }
    Resp seeded = haproxy.put("/api/v1/users", admin, new JsonObject().put("users", directory).encode());
    assertThat(seeded.status()).as(seeded.toString()).isEqualTo(200);

    // The page first, alone, so the node holding its socket is the one with one WebSocket.
    String pageToken = token(pageUser, "CREATOR");
    List<String> pageCreated = new ArrayList<>();
    pageCreated.add(notify(admin, pageUser, "before 1"));
    pageCreated.add(notify(admin, pageUser, "before 2"));
    browser.get(haproxy.baseUrl() + "/?token=" + pageToken);
    waitUpTo(30).until(ExpectedConditions.textToBe(By.id("status"), "live"));
    awaitPage(pageCreated);
    int pageNode = nodeHoldingSockets(1);

    // 200 clients through HAProxy (least connections spreads them over the three nodes).
    List<Client> clients = new ArrayList<>();
    try {
      for (String u : clientUsers) clients.add(Client.open(haproxy, u, token(u, "VIEWER")));
      for (Client c : clients) {
        assertThat(c.awaitAcknowledged(PUSH_WAIT)).as(c.user + "'s first register acknowledged").isTrue();
      }
      broadcast(admin, clientUsers, "hello");
      for (Client c : clients) c.awaitShown(1, PUSH_WAIT);
      List<Integer> perNode = new ArrayList<>();
      for (int i = 0; i < 3; i++) perNode.add((int) cluster.node(i).metric("vertx_http_server_active_ws_connections"));
      System.out.println("[failover] sockets per node before the kill " + perNode + "; the page's node is " + Haproxy.serverName(pageNode));
      List<Map<String, Double>> busBefore = new ArrayList<>();
      for (int i = 0; i < 3; i++) busBefore.add(eventBusMetrics(cluster.node(i)));

      // The crash.
      AppProcess dead = cluster.node(pageNode);
      long killedAt = System.nanoTime();
      dead.kill();
      dead.waitForExit(Duration.ofSeconds(30));

      // While the browser is away: created through HAProxy, which routes around the dead node.
      for (int i = 1; i <= 3; i++) pageCreated.add(notify(admin, pageUser, "while away " + i));
      broadcast(admin, clientUsers, "while away 1");
      broadcast(admin, clientUsers, "while away 2");

      // The page reconnects by itself (after 1 s, then 2 s, 4 s …) and catches up.
      waitUpTo((int) RECONNECT_BOUND.toSeconds()).until(ExpectedConditions.textToBe(By.id("status"), "live"));
      awaitPage(pageCreated);
      double pageBack = (System.nanoTime() - killedAt) / 1e9;

      // Clients do what the page does: on close, reconnect through HAProxy, register, catch up.
      int onDeadNode = perNode.get(pageNode) - 1;
      eventually("the " + onDeadNode + " clients of the dead node see their sockets closed", Duration.ofSeconds(15),
          () -> clients.stream().filter(c -> c.socket.closed().isDone()).count() == onDeadNode);
      // As the page does: a register not acknowledged within 10 s is taken as lost, and the socket reopened.
      List<Client> moved = clients.stream().filter(c -> c.socket.closed().isDone()).toList();
      moved.forEach(c -> c.reopen(haproxy));
      List<Client> waiting = moved;
      int reopenedUnacknowledged = 0;
      for (int attempt = 1; attempt <= 3 && !waiting.isEmpty(); attempt++) {
        // One 10 s window for the whole batch: they registered together.
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<Client> unacknowledged = new ArrayList<>();
        for (Client c : waiting) {
          if (!c.awaitAcknowledged(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) unacknowledged.add(c);
        }
        if (!unacknowledged.isEmpty()) {
          System.out.printf("[failover] %d registers not acknowledged within 10 s (attempt %d): %s%n",
              unacknowledged.size(), attempt, unacknowledged.get(0).socket.seen());
          reopenedUnacknowledged += unacknowledged.size();
          unacknowledged.forEach(c -> c.reopen(haproxy));
        }
        waiting = unacknowledged;
      }
      assertThat(waiting).as("registers still not acknowledged after 3 attempts").isEmpty();
      // Acknowledged: whatever is published from now on reaches them, so catching up now misses nothing.
      for (Client c : moved) c.catchUp(haproxy);
      int reconnected = moved.size();
      long slowest = System.nanoTime() - killedAt;

      // Live again for everyone.
      pageCreated.add(notify(admin, pageUser, "after the reconnect"));
      awaitPage(pageCreated);
      broadcast(admin, clientUsers, "after the reconnect");
      try {
        for (Client c : clients) c.awaitShown(4, PUSH_WAIT);
      } catch (AssertionError e) {
        throw new AssertionError(diagnosis(admin, clients, pageNode, busBefore), e);
      }
      System.out.printf("[failover] the page was live again and showed the 3 notifications created meanwhile %.1f s "
          + "after the SIGKILL; %d of %d clients had to reconnect, the last one registered (acknowledged) and "
          + "caught up %.1f s after it; %d registers were not acknowledged within 10 s and reopened%n",
          pageBack, reconnected, CLIENTS, slowest / 1e9, reopenedUnacknowledged);
      assertThat(reconnected).as("the dead node's clients").isEqualTo(onDeadNode).isPositive();
      assertThat(clients).as("no socket lost after the reconnects").noneMatch(c -> c.socket.closed().isDone());

      // The page: exactly the server's list, newest first, each once, and the badge.
      List<String> serverList = serverList(pageToken);
      List<String> shown = browser.findElements(By.cssSelector("#list li")).stream()
          .map(li -> li.getAttribute("data-id")).toList();
      assertThat(shown).as("the page's list, newest first").containsExactlyElementsOf(serverList);
      assertThat(serverList).containsExactlyInAnyOrderElementsOf(pageCreated);
      assertThat(browser.findElement(By.id("badge")).getText()).isEqualTo(String.valueOf(unread(pageToken)));

      // The clients: each has every notification once, pushes arrived in creation order, counts are right.
      for (Client c : clients) {
        List<String> expected = serverList(c.token);
        assertThat(expected).hasSize(4);
        assertThat(c.shownNewestFirst()).as(c.user).containsExactlyElementsOf(expected);
        assertThat(c.duplicatePushes).as(c.user + " got a push twice").isZero();
        List<String> oldestFirst = new ArrayList<>(expected);
        java.util.Collections.reverse(oldestFirst);
        assertThat(oldestFirst).as(c.user + ": pushes in creation order").containsSubsequence(c.pushed);
        assertThat(c.lastUnreadCount).as(c.user + " unread count of the last push").isEqualTo(4);
      }
    } finally {
      clients.forEach(Client::close);
    }
  }

  /**
   * What a failure needs to tell where pushes stopped (stop 18 saw the reconnected clients get none, once, and
   * nothing then said whether their registrations existed on the survivors): which clients lack the last push,
   * moved or not; each survivor's sockets, event-bus handlers and discarded messages before and now; whether a
   * fresh socket opened straight on each survivor for the first such user gets a push made now, and whether
   * that user's own socket does; HAProxy's bridge log lines and the survivors' warnings.
   */
  private static String diagnosis(String admin, List<Client> clients, int deadNode, List<Map<String, Double>> busBefore)
      throws InterruptedException {
    StringBuilder out = new StringBuilder("\n[failover diagnosis]\n");
    try {
      List<Client> missing = new ArrayList<>();
      for (Client c : clients) {
        c.drain(Duration.ofMillis(50));
        if (c.shown.size() < 4) missing.add(c);
      }
      long moved = missing.stream().filter(c -> c.reconnects > 0).count();
      long acknowledged = missing.stream().filter(c -> c.acknowledged).count();
      out.append("clients without the last push: ").append(missing.size()).append(" (").append(moved)
          .append(" of them reconnected after the kill, ").append(missing.size() - moved).append(" never moved; ")
          .append(acknowledged).append(" had their last register acknowledged)\n");
      for (int i = 0; i < 3; i++) {
        if (i == deadNode) continue;
        out.append(Haproxy.serverName(i)).append(": before the kill ").append(busBefore.get(i)).append("; now ")
            .append(eventBusMetrics(cluster.node(i))).append('\n');
      }
      if (!missing.isEmpty()) {
        Client first = missing.get(0);
        String address = "notifications.user." + first.user;
        out.append("first: ").append(first.user).append(", socket closed: ").append(first.socket.closed().getNow("no"))
            .append(", frames: ").append(first.socket.seen()).append('\n');
        List<BridgeClient> probes = new ArrayList<>();
        try {
          for (int i = 0; i < 3; i++) {
            if (i == deadNode) continue;
            BridgeClient probe = BridgeClient.connect(cluster.node(i).baseUrl());
            probe.register(address, first.token);
            probes.add(probe);
          }
          for (int k = 0; k < probes.size(); k++) {
            boolean ack = probes.get(k).next(BridgeClient.registeredOn(address), Duration.ofSeconds(5)) != null;
            out.append("fresh socket straight on survivor ").append(k).append(": register ")
                .append(ack ? "acknowledged" : "NOT acknowledged within 5 s").append('\n');
          }
          notify(admin, first.user, "diagnosis probe");
          for (int k = 0; k < probes.size(); k++) {
            JsonObject f = probes.get(k).next(BridgeClient.pushOn(address), Duration.ofSeconds(5));
            out.append("fresh socket straight on survivor ").append(k).append(": ")
                .append(f != null ? "got the probe push" : "NO probe push; frames " + probes.get(k).seen()).append('\n');
          }
          JsonObject own = first.socket.next(BridgeClient.pushOn(address), Duration.ofSeconds(2));
          out.append("the client's own socket: ").append(own != null ? "got the probe push" : "NO probe push").append('\n');
        } finally {
          probes.forEach(BridgeClient::close);
        }
      }
      List<String> bridgeLog = haproxy.requestLog().stream().filter(l -> l.contains("/eventbus")).toList();
      out.append("haproxy bridge log, last 5 of ").append(bridgeLog.size()).append(":\n");
      bridgeLog.subList(Math.max(0, bridgeLog.size() - 5), bridgeLog.size()).forEach(l -> out.append("  ").append(l).append('\n'));
      for (int i = 0; i < 3; i++) {
        if (i == deadNode) continue;
        out.append(Haproxy.serverName(i)).append(" warnings and errors:\n");
        cluster.node(i).output().lines().filter(l -> l.contains(" WARN ") || l.contains(" ERROR "))
            .limit(40).forEach(l -> out.append("  ").append(l).append('\n'));
      }
    } catch (RuntimeException | Error e) {
      out.append("(diagnosis stopped: ").append(e).append(")\n");
    }
    return out.toString();
  }

  /** A node's event-bus handler count and the messages it discarded or holds pending. */
  private static Map<String, Double> eventBusMetrics(AppProcess node) {
    Map<String, Double> all = node.metrics();
    Map<String, Double> out = new java.util.TreeMap<>();
    all.forEach((k, v) -> {
      if (k.startsWith("vertx_eventbus_handlers") || k.startsWith("vertx_eventbus_discarded")
          || k.startsWith("vertx_eventbus_pending") || k.startsWith("vertx_http_server_active_ws_connections")) {
        out.put(k, v);
      }
    });
    return out;
  }

  /** The node (index) whose bridge holds exactly {@code count} WebSockets. */
  private static int nodeHoldingSockets(int count) {
    for (int attempt = 0; attempt < 50; attempt++) {
      for (int i = 0; i < 3; i++) {
        if (cluster.node(i).metric("vertx_http_server_active_ws_connections") == count) return i;
      }
      sleep(100);
    }
    throw new AssertionError("no node holds the page's socket");
  }

  private static WebDriverWait waitUpTo(int seconds) {
    return new WebDriverWait(browser, Duration.ofSeconds(seconds));
  }

  /** Waits until the page lists all of these (in any order; the order is checked at the end). */
  private static void awaitPage(List<String> ids) {
    for (String id : ids) {
      waitUpTo(30).until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#list li[data-id='" + id + "']")));
    }
  }

  private static String notify(String admin, String user, String title) {
    Resp r = haproxy.post("/api/v1/notifications", admin, new JsonObject().put("userId", user).put("type", "SYSTEM")
        .put("title", title).put("message", "failover test").encode());
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.data().getJsonArray("notificationIds").getString(0);
  }

  private static void broadcast(String admin, List<String> users, String title) {
    Resp r = haproxy.post("/api/v1/notifications", admin, new JsonObject().put("userIds", new JsonArray(users))
        .put("type", "SYSTEM").put("title", title).put("message", "failover test").encode());
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    assertThat(r.data().getInteger("created")).isEqualTo(users.size());
  }

  /** The caller's notifications as the server has them, newest first. */
  static List<String> serverList(String token) {
    Resp r = haproxy.get("/api/v1/notifications?pageSize=100", token);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    List<String> ids = new ArrayList<>();
    r.json().getJsonArray("data").forEach(n -> ids.add(((JsonObject) n).getString("id")));
    return ids;
  }

  private static long unread(String token) {
    return haproxy.get("/api/v1/notifications/unread-count", token).data().getLong("count");
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /**
   * A bridge client that behaves like the bell page: registers on open, keeps what it shows as a list
   * merged by id (a notification fetched and pushed is shown once), and after losing its socket reconnects,
   * registers again and, once the register is acknowledged, catches up with {@code after=<newest shown>}.
   */
  private static final class Client implements AutoCloseable {
    final String user;
    final String token;
    BridgeClient socket;
    /** Shown notifications: id → createdAt, newest first once sorted. */
    final Map<String, String> shown = new java.util.HashMap<>();
    final List<String> pushed = new ArrayList<>();
    int duplicatePushes;
    int lastUnreadCount = -1;
    int reconnects;
    /** Whether the bridge acknowledged the register of the current socket. */
    boolean acknowledged;

    private Client(String user, String token) {
      this.user = user;
      this.token = token;
    }

    static Client open(Haproxy lb, String user, String token) {
      Client c = new Client(user, token);
      c.socket = BridgeClient.connect(lb.baseUrl());
      c.socket.register("notifications.user." + user, token);
      return c;
    }

    /** Replaces the socket with a new one through the balancer and registers on it. */
    void reopen(Haproxy lb) {
      reconnects++;
      socket.close();
      drain(Duration.ZERO);
      acknowledged = false;
      socket = BridgeClient.connect(lb.baseUrl());
      socket.register("notifications.user." + user, token);
    }

    /**
     * Waits for the register's acknowledgement, showing pushes that come before it; false after the timeout
     * (frames already received are still looked at when it is zero).
     */
    boolean awaitAcknowledged(Duration timeout) throws InterruptedException {
      String address = "notifications.user." + user;
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!acknowledged) {
        long left = Math.max(1_000_000, deadline - System.nanoTime());
        JsonObject f = socket.next(BridgeClient.messageOn(address), Duration.ofNanos(left));
        if (f == null) return false;
        if (BridgeClient.registeredOn(address).test(f)) acknowledged = true;
        else take(f);
      }
      return true;
    }

    /** What was created while the socket was down: {@code after=<newest shown>}. */
    void catchUp(Haproxy lb) {
      String newest = shownNewestFirst().get(0);
      Resp r = lb.get("/api/v1/notifications?pageSize=100&after=" + newest, token);
      assertThat(r.status()).as(r.toString()).isEqualTo(200);
      r.json().getJsonArray("data").forEach(n -> show((JsonObject) n));
    }

    /** Takes pushes until {@code count} notifications are shown; fails after the timeout. */
    void awaitShown(int count, Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (shown.size() < count) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError(user + ": " + shown.size() + " shown, wanted " + count + "; reconnected " + reconnects
              + " time(s); socket closed: " + socket.closed().getNow("no") + "; frames " + socket.seen());
        }
        take(socket.next(BridgeClient.pushOn("notifications.user." + user), Duration.ofNanos(left)));
      }
      // Anything else already received (a duplicate would show here).
      drain(Duration.ofMillis(1));
    }

    void drain(Duration wait) {
      try {
        JsonObject f;
        while ((f = socket.next(BridgeClient.pushOn("notifications.user." + user), wait)) != null) take(f);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    private void take(JsonObject frame) {
      if (frame == null) return;
      JsonObject body = frame.getJsonObject("body");
      JsonObject n = body.getJsonObject("notification");
      if (n == null) return;
      if (pushed.contains(n.getString("id"))) {
        duplicatePushes++;
        return;
      }
      pushed.add(n.getString("id"));
      lastUnreadCount = body.getInteger("unreadCount");
      show(n);
    }

    private void show(JsonObject n) {
      shown.put(n.getString("id"), n.getString("createdAt"));
    }

    /** Ordered as the server orders a list: newest first by creation time, then id. */
    List<String> shownNewestFirst() {
      return shown.entrySet().stream()
          .sorted(Map.Entry.<String, String>comparingByValue(Comparator.comparing(java.time.Instant::parse))
              .thenComparing(Map.Entry.comparingByKey()).reversed())
          .map(Map.Entry::getKey).toList();
    }

    @Override
    public void close() {
      if (socket != null) socket.close();
    }
  }
}
