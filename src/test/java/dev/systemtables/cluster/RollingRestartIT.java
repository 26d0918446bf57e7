package dev.systemtables.cluster;

import dev.systemtables.testing.AppProcess;
import dev.systemtables.testing.Haproxy;
import dev.systemtables.testing.Resp;
import dev.systemtables.testing.TestDatabases;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.systemtables.cluster.ClusterNodes.eventually;
import static dev.systemtables.cluster.ClusterNodes.members;
import static dev.systemtables.cluster.ClusterNodes.token;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A rolling restart behind the shipped load balancer: three packaged nodes behind Debian's HAProxy running
 * {@code deploy/haproxy.cfg}, a bounded load of mixed reads and writes through HAProxy, and each node in
 * turn stopped with SIGTERM (its drain takes it out of rotation before its listener closes) and started
 * again, waiting for HAProxy to count it back in before the next — as an operator or an orchestrator does.
 */
@Tag("slow")
@DisplayName("Rolling restart behind HAProxy under load: no failed request, no connection error, nothing lost, jobs once per slot")
class RollingRestartIT {

  private static final String JOB = "idempotency-cleanup";
  /** Requests per second offered through HAProxy. */
  private static final int RATE = 200;
  private static final int USERS = 20;
  // One HAProxy request log line: ... backend/server Tq/Tw/Tc/Tr/Ta status bytes - - TERM act/fe/be/srv/retries ...
  private static final Pattern LOG_LINE = Pattern.compile(
      " (\\S+)/(\\S+) [-\\d]+/[-\\d]+/[-\\d]+/[-\\d]+/[-\\d]+ (\\d{3}) \\d+ \\S+ \\S+ (\\S{4}) \\d+/\\d+/\\d+/\\d+/(\\+?\\d+) ");

  private static ClusterNodes cluster;
  private static Haproxy haproxy;

  @BeforeAll
  static void start() throws Exception {
    cluster = ClusterNodes.start(3, new JsonObject()
        .put("jobs", new JsonObject()
            // A slot every 2 seconds, so dozens of slots fall within the restarts.
            .put(JOB, new JsonObject().put("cron", "*/2 * * * * ?"))
            .put("checkSeconds", 1))
        // The load comes from one ADMIN caller; the hourly allowance per caller is not what is tested here.
        .put("rateLimits", new JsonObject().put("notificationCreatesPerHour", 1_000_000)));
    haproxy = cluster.behindHaproxy();
  }

  @AfterAll
  static void stop() {
    if (haproxy != null) haproxy.close();
    if (cluster != null) cluster.close();
  }

  @Test
  @DisplayName("Each of three nodes gets SIGTERM and is started again while ~200 req/s of mixed reads and writes run through HAProxy: every request answered 2xx, 0 connection errors, every acknowledged write stored once, one job run per slot")
  void rollingRestartUnderLoad() throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    String admin = token("rr-admin-" + run, "ADMIN");
    List<String> users = new ArrayList<>();
    List<String> tokens = new ArrayList<>();
    for (int i = 0; i < USERS; i++) {
      String id = "rr-user-" + run + "-" + i;
      Resp r = haproxy.put("/api/v1/users/" + id, admin, "{\"role\":\"CREATOR\"}");
      assertThat(r.status()).as(r.toString()).isEqualTo(200);
      users.add(id);
      tokens.add(token(id, "CREATOR"));
    }
    int logLinesBefore = haproxy.requestLog().size();

    MixedLoad load = new MixedLoad(haproxy.baseUrl(), RATE, run, admin, users, tokens);
    Instant loadStarted = databaseNow();
    List<String> timeline = new ArrayList<>();
    try {
      load.start();
      Thread.sleep(5_000);
      for (int i = 0; i < 3; i++) {
        AppProcess node = cluster.node(i);
        String server = Haproxy.serverName(i);
        long t0 = System.nanoTime();
        node.terminate();
        // The drain (shutdown.drainSeconds, 5 s by default) must take it out of rotation while it still serves.
        haproxy.awaitServer(server, "DOWN", Duration.ofSeconds(10));
        double outAfter = (System.nanoTime() - t0) / 1e9;
        assertThat(node.isAlive()).as(server + " is still running (draining) when HAProxy takes it out").isTrue();
        assertThat(node.waitForExit(Duration.ofSeconds(60))).as(node.output()).isZero();
        double exitedAfter = (System.nanoTime() - t0) / 1e9;
        AppProcess again = cluster.restart(i);
        haproxy.awaitServer(server, "UP", Duration.ofSeconds(30));
        double backAfter = (System.nanoTime() - t0) / 1e9;
        for (int j = 0; j < 3; j++) {
          AppProcess n = cluster.node(j);
          eventually("port " + n.port() + " counts 3 members", Duration.ofSeconds(30), () -> members(n) == 3);
        }
        assertThat(again.output()).doesNotContain(" ERROR ");
        timeline.add("%s: out of rotation %.1f s after SIGTERM, exited 0 after %.1f s, back in rotation after %.1f s"
            .formatted(server, outAfter, exitedAfter, backAfter));
      }
      Thread.sleep(5_000);
    } finally {
      load.stop(Duration.ofSeconds(60));
    }
    Instant loadEnded = databaseNow();
    double seconds = load.seconds();
    load.close();

    List<String> lbLog = haproxy.requestLog().subList(logLinesBefore, haproxy.requestLog().size());
    Map<String, Long> lbStatus = new TreeMap<>();
    long lbRetried = 0;
    long lbRedispatched = 0;
    for (String line : lbLog) {
      Matcher m = LOG_LINE.matcher(line);
      if (!m.find()) continue;
      lbStatus.merge(m.group(3) + (m.group(4).equals("----") ? "" : " " + m.group(4)), 1L, Long::sum);
      String retries = m.group(5);
      if (!retries.equals("0")) lbRetried++;
      if (retries.startsWith("+")) lbRedispatched++;
    }
    System.out.println("[rolling] " + String.join("\n[rolling] ", timeline));
    System.out.printf("[rolling] %d requests in %.1f s (%.0f/s of %d/s offered; %d held back with 64 in flight): "
            + "%d answered 2xx, final statuses %s, %d retried after a 503, %d failed, %d connection errors, %d timed out; "
            + "%d idempotent replays (%d wrong)%n",
        load.sent(), seconds, load.sent() / seconds, RATE, load.heldBack(), load.ok(), load.finalStatuses(),
        load.retried(), load.failures(), load.connectionErrors(), load.timeouts(), load.replays(), load.replayMismatches());
    System.out.printf("[rolling] HAProxy log: %d requests, status (and termination flags when not clean) %s; "
        + "%d requests needed a new connection attempt, %d of them redispatched to another node%n",
        lbLog.size(), lbStatus, lbRetried, lbRedispatched);

    assertThat(load.inFlight()).as("every request got its final answer").isZero();
    assertThat(load.connectionErrors()).as("connection errors; samples: " + load.samples()).isZero();
    assertThat(load.timeouts()).as("requests without an answer in 30 s; samples: " + load.samples()).isZero();
    assertThat(load.failures()).as("requests not answered 2xx; samples: " + load.samples()).isZero();
    assertThat(load.ok()).isEqualTo(load.sent());
    assertThat(load.replayMismatches()).as("replays answering other than the stored response").isZero();
    assertThat(load.replays()).isPositive();

    // Every acknowledged write is stored, and no unacknowledged or duplicate one.
    List<String> ackedUsers = load.ackedUserIds();
    List<String> ackedNotifications = load.ackedNotificationIds();
    assertThat(ackedUsers).as("acknowledged PUTs").hasSizeGreaterThan(100);
    assertThat(countIn("SELECT count(*) FROM users WHERE id = ANY (?)", ackedUsers)).isEqualTo(ackedUsers.size());
    assertThat(countIn("SELECT count(*) FROM idempotency_keys WHERE response_status = 200 AND key = ANY (?)",
        ackedUsers.stream().map(id -> "put-" + id).toList())).as("the PUTs' idempotency records, completed")
        .isEqualTo(ackedUsers.size());
    assertThat(countIn("SELECT count(*) FROM notifications WHERE id = ANY (?)", ackedNotifications))
        .isEqualTo(ackedNotifications.size());
    assertThat(count("SELECT count(*) FROM notifications WHERE title LIKE 'rolling " + run + " %'"))
        .as("notifications created by the load: exactly the acknowledged ones").isEqualTo(ackedNotifications.size());

    // Jobs: one run per 2-second slot across the restarts, none missed.
    List<Instant> slots = new ArrayList<>();
    Map<String, Long> statuses = new TreeMap<>();
    Set<String> nodeIds = new HashSet<>();
    try (Connection c = TestDatabases.jdbc(cluster.databaseUrl());
         PreparedStatement s = c.prepareStatement("SELECT scheduled_for, status, node_id FROM job_runs "
             + "WHERE job_name = ? AND scheduled_for > ? AND scheduled_for < ? ORDER BY scheduled_for")) {
      s.setString(1, JOB);
      s.setTimestamp(2, java.sql.Timestamp.from(loadStarted));
      s.setTimestamp(3, java.sql.Timestamp.from(loadEnded));
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          Instant slot = rs.getTimestamp(1).toInstant();
          // Manual runs (none here) would be off the 2-second grid.
          if (slot.getNano() != 0 || slot.getEpochSecond() % 2 != 0) continue;
          slots.add(slot);
          statuses.merge(rs.getString(2), 1L, Long::sum);
          nodeIds.add(rs.getString(3));
        }
      }
    }
    System.out.printf("[rolling] %d job slots during the load, statuses %s, run by %d node instances%n",
        slots.size(), statuses, nodeIds.size());
    assertThat(slots).doesNotHaveDuplicates();
    assertThat(slots).isNotEmpty();
    for (int i = 1; i < slots.size(); i++) {
      assertThat(Duration.between(slots.get(i - 1), slots.get(i))).as("no slot missed after " + slots.get(i - 1))
          .isEqualTo(Duration.ofSeconds(2));
    }
    assertThat(slots.size()).as("every slot of the window ran").isGreaterThanOrEqualTo(
        (int) (Duration.between(loadStarted, loadEnded).toSeconds() / 2) - 1);
    assertThat(statuses.keySet()).as("a run is finished, never left RUNNING").isSubsetOf("SUCCEEDED", "FAILED");
  }

  private static long countIn(String sql, List<String> values) throws SQLException {
    try (Connection c = TestDatabases.jdbc(cluster.databaseUrl()); PreparedStatement s = c.prepareStatement(sql)) {
      Array array = c.createArrayOf("text", values.toArray());
      s.setArray(1, array);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static long count(String sql) throws SQLException {
    try (Connection c = TestDatabases.jdbc(cluster.databaseUrl()); PreparedStatement s = c.prepareStatement(sql);
         ResultSet rs = s.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static Instant databaseNow() throws SQLException {
    try (Connection c = TestDatabases.jdbc(cluster.databaseUrl()); PreparedStatement s = c.prepareStatement("SELECT now()");
         ResultSet rs = s.executeQuery()) {
      rs.next();
      return rs.getTimestamp(1).toInstant();
    }
  }
}
