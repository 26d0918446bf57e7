package dev.systemtables.cluster;

import dev.systemtables.testing.AppProcess;
import dev.systemtables.testing.Resp;
import dev.systemtables.testing.TestDatabases;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import static dev.systemtables.cluster.ClusterNodes.eventually;
import static dev.systemtables.cluster.ClusterNodes.members;
import static dev.systemtables.cluster.ClusterNodes.token;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three packaged nodes clustered on loopback, one database: the cluster forms, REST work stays on the node
 * that received it, a job slot runs once across the cluster, a node stopped with SIGTERM leaves cleanly
 * with exit 0, and after a SIGKILL the survivor keeps serving and keeps running the job slots.
 *
 * <p>The steps build on each other (the nodes are started once), hence the order.
 */
@Tag("slow")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@DisplayName("Cluster of separate processes: forming, local work, once-per-slot jobs, leaving and losing a node")
class ClusterIT {

  private static final String JOB = "idempotency-cleanup";
  private static final String CLAIMED = "idempotency_claims_total{outcome=\"claimed\"}";
  // Messages this node received from another node's event bus ("local" ones come from itself).
  private static final String REMOTE_RECEIVED = "vertx_eventbus_received_total{side=\"remote\"}";

  private static ClusterNodes cluster;
  private static AppProcess a;
  private static AppProcess b;
  private static AppProcess c;
  private static final String ADMIN = token(ClusterNodes.unique("admin"), "ADMIN");

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = ClusterNodes.start(3, new JsonObject().put("jobs", new JsonObject()
        // A slot every 2 seconds, so several slots (and one after a node dies) fall within the test.
        .put(JOB, new JsonObject().put("cron", "*/2 * * * * ?"))
        .put("checkSeconds", 1)));
    a = cluster.node(0);
    b = cluster.node(1);
    c = cluster.node(2);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) cluster.close();
  }

  @Test
  @Order(1)
  @DisplayName("The three nodes form one cluster over TCP/IP: each counts three members")
  void formsOneCluster() {
    for (AppProcess n : List.of(a, b, c)) {
      assertThat(members(n)).as("members seen by the node on port " + n.port()).isEqualTo(3);
      assertThat(n.get("/health/ready", null).status()).isEqualTo(200);
    }
  }

  /**
   * A domain request/reply consumer registered with {@code consumer} instead of {@code localConsumer}
   * would be known cluster-wide, and Vert.x would hand the requests of node A round-robin to the
   * idempotency verticles of B and C too: their claim counters would move and they would receive
   * messages from a remote node. Neither happens.
   */
  @Test
  @Order(2)
  @DisplayName("REST calls through node A are served by node A's domain verticles only: no other node counts them or receives a message")
  void workStaysLocal() {
    Map<AppProcess, Double> claimedBefore = new java.util.HashMap<>();
    Map<AppProcess, Double> remoteBefore = new java.util.HashMap<>();
    for (AppProcess n : List.of(a, b, c)) {
      claimedBefore.put(n, n.metric(CLAIMED));
      remoteBefore.put(n, n.metric(REMOTE_RECEIVED));
    }
    String caller = token(ClusterNodes.unique("local-work"), "CREATOR");
    int claims = 12;
    for (int i = 0; i < claims; i++) {
      Resp claim = a.post("/api/v1/idempotency", caller,
          new JsonObject().put("key", "local-" + i).put("entityType", "payment").put("requestHash", "h" + i).encode());
      assertThat(claim.status()).as(claim.toString()).isEqualTo(201);
      assertThat(a.get("/api/v1/idempotency/local-" + i, caller).status()).isEqualTo(409);
      Resp user = a.put("/api/v1/users/local-user-" + i, ADMIN, "{\"role\":\"VIEWER\"}");
      assertThat(user.status()).as(user.toString()).isEqualTo(200);
    }

    assertThat(a.metric(CLAIMED) - claimedBefore.get(a)).as("claims counted by node A's verticle").isEqualTo(claims);
    assertThat(b.metric(CLAIMED)).as("claims counted by node B's verticle").isEqualTo(claimedBefore.get(b));
    assertThat(c.metric(CLAIMED)).as("claims counted by node C's verticle").isEqualTo(claimedBefore.get(c));
    for (AppProcess n : List.of(a, b, c)) {
      assertThat(n.metric(REMOTE_RECEIVED)).as("event-bus messages from other nodes received by port " + n.port())
          .isEqualTo(remoteBefore.get(n));
    }
  }

  /**
   * Every run is counted by the node that executed it ({@code jobs_runs_total}); when the three nodes'
   * counts add up to the rows of {@code job_runs}, no slot was executed by two nodes (the unique slot
   * constraint alone would only prove there is one row).
   */
  @Test
  @Order(3)
  @DisplayName("Each job slot runs once across the cluster: one run per slot, and the nodes' run counts add up to the runs")
  void jobSlotRunsOnce() {
    Instant formed = Instant.now();
    eventually("four slots run after the cluster formed", Duration.ofSeconds(30),
        () -> runs().stream().filter(r -> r.slot().isAfter(formed) && !r.status().equals("RUNNING")).count() >= 4);

    // A consistent view: no run in progress and nothing changed while the metrics were read.
    List<Run> runs;
    double executed;
    int attempts = 0;
    while (true) {
      List<Run> before = runs();
      executed = List.of(a, b, c).stream()
          .mapToDouble(n -> n.metric("jobs_runs_total{job=\"" + JOB + "\",status=\"SUCCEEDED\"}")
              + n.metric("jobs_runs_total{job=\"" + JOB + "\",status=\"FAILED\"}"))
          .sum();
      List<Run> after = runs();
      if (before.equals(after) && after.stream().noneMatch(r -> r.status().equals("RUNNING"))) {
        runs = after;
        break;
      }
      assertThat(++attempts).as("a quiet moment between two slots").isLessThan(50);
    }

    // Whether a purge succeeded is the timer's own business (tested there); here only how often it ran.
    assertThat(runs).extracting(Run::status).contains("SUCCEEDED").isSubsetOf("SUCCEEDED", "FAILED");
    assertThat(runs).extracting(Run::slot).doesNotHaveDuplicates();
    assertThat(executed).as("runs executed by the three nodes together").isEqualTo(runs.size());
    Map<String, Long> byNode = new TreeMap<>();
    runs.forEach(r -> byNode.merge(r.nodeId(), 1L, Long::sum));
    System.out.println("[cluster] " + runs.size() + " slots of " + JOB + ", runs per node id: " + byNode);
  }

  @Test
  @Order(4)
  @DisplayName("SIGTERM on a clustered node: it leaves the cluster and exits 0, the others count one member less")
  void sigtermLeavesAndExitsZero() throws Exception {
    c.terminate();
    assertThat(c.waitForExit(Duration.ofSeconds(60))).as(c.output()).isZero();
    assertThat(c.output()).contains("left the cluster").doesNotContain("not left in time");
    for (AppProcess n : List.of(a, b)) {
      eventually("port " + n.port() + " counts 2 members", Duration.ofSeconds(15), () -> members(n) == 2);
    }
  }

  @Test
  @Order(5)
  @DisplayName("SIGKILL on a node: the survivor serves every endpoint at once and runs the next job slots")
  void survivorKeepsServing() throws Exception {
    Instant killedAt = databaseNow();
    a.kill();
    a.waitForExit(Duration.ofSeconds(30));

    // Right away: a node's own work never waits for the cluster to settle.
    assertThat(b.get("/health/live", null).status()).isEqualTo(200);
    assertThat(b.get("/health/ready", null).status()).isEqualTo(200);
    String sub = ClusterNodes.unique("after-kill");
    String caller = token(sub, "BRAND");
    assertThat(b.get("/api/v1/me", caller).data().getString("sub")).isEqualTo(sub);
    assertThat(b.put("/api/v1/users/after-kill-user", ADMIN, "{\"role\":\"CREATOR\"}").status()).isEqualTo(200);

    String claim = new JsonObject().put("key", "after-kill").put("entityType", "payout").put("requestHash", "x").encode();
    assertThat(b.post("/api/v1/idempotency", caller, claim).status()).isEqualTo(201);
    assertThat(b.post("/api/v1/idempotency/after-kill/complete", caller,
        new JsonObject().put("entityId", "po_1").put("responseStatus", 201).put("responseBody", new JsonObject().put("id", "po_1")).encode())
        .status()).isEqualTo(200);
    Resp replay = b.post("/api/v1/idempotency", caller, claim);
    assertThat(replay.status()).isEqualTo(200);
    assertThat(replay.data().getString("entityId")).isEqualTo("po_1");
    assertThat(b.get("/api/v1/idempotency/after-kill", caller).data().getBoolean("processed")).isTrue();
    assertThat(b.delete("/api/v1/idempotency/never-claimed", caller).status()).isIn(204, 404);

    Map<String, String> key = Map.of("Idempotency-Key", "kill-retry");
    Resp first = b.send("PUT", "/api/v1/users/kill-retry", ADMIN, "{\"role\":\"VIEWER\"}", key);
    Resp retry = b.send("PUT", "/api/v1/users/kill-retry", ADMIN, "{\"role\":\"VIEWER\"}", key);
    assertThat(first.status()).isEqualTo(200);
    assertThat(retry.status()).isEqualTo(200);
    assertThat(retry.header("Idempotent-Replayed")).isEqualTo("true");
    assertThat(retry.body()).isEqualTo(first.body());

    Resp jobs = b.get("/api/v1/jobs", ADMIN);
    assertThat(jobs.status()).isEqualTo(200);
    assertThat(jobs.json().getJsonArray("data")).isNotEmpty();
    Resp manual = b.post("/api/v1/jobs/" + JOB + "/run", ADMIN, null);
    assertThat(manual.status()).as(manual.toString()).isEqualTo(202);
    String survivorId = nodeOf(manual.data().getString("runId"));

    eventually("the survivor counts itself alone", Duration.ofSeconds(30), () -> members(b) == 1);
    eventually("two scheduled slots after the kill run by the survivor", Duration.ofSeconds(30),
        () -> runs().stream().filter(r -> r.slot().isAfter(killedAt) && r.status().equals("SUCCEEDED")
            && r.nodeId().equals(survivorId) && !r.manual()).count() >= 2);
    assertThat(runs()).filteredOn(r -> r.slot().isAfter(killedAt.plusSeconds(1)))
        .as("no run claimed by the dead node after it died").allMatch(r -> r.nodeId().equals(survivorId));
    assertThat(b.isAlive()).isTrue();
    assertThat(b.get("/health/ready", null).status()).isEqualTo(200);
  }

  private record Run(String id, Instant slot, String nodeId, String status) {
    // Manual runs use a slot that is not on the 2-second grid (see Schedule.manualSlot).
    boolean manual() {
      return slot.getNano() != 0 || slot.getEpochSecond() % 2 != 0;
    }
  }

  private static List<Run> runs() {
    try (Connection conn = TestDatabases.jdbc(cluster.databaseUrl());
         PreparedStatement s = conn.prepareStatement(
             "SELECT id, scheduled_for, node_id, status FROM job_runs WHERE job_name = ? ORDER BY scheduled_for");) {
      s.setString(1, JOB);
      List<Run> runs = new ArrayList<>();
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          runs.add(new Run(rs.getString(1), rs.getTimestamp(2).toInstant(), rs.getString(3), rs.getString(4)));
        }
      }
      return runs;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String nodeOf(String runId) {
    return runs().stream().filter(r -> r.id().equals(runId)).map(Run::nodeId).filter(Objects::nonNull)
        .findFirst().orElseThrow(() -> new AssertionError("no run " + runId));
  }

  private static Instant databaseNow() throws SQLException {
    try (Connection conn = TestDatabases.jdbc(cluster.databaseUrl());
         PreparedStatement s = conn.prepareStatement("SELECT now()");
         ResultSet rs = s.executeQuery()) {
      rs.next();
      Timestamp t = rs.getTimestamp(1);
      return t.toInstant();
    }
  }
}
