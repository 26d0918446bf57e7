package dev.systemtables.cluster;

import dev.systemtables.testing.AppProcess;
import dev.systemtables.testing.Haproxy;
import dev.systemtables.testing.Jwts;
import dev.systemtables.testing.TestApp;
import dev.systemtables.testing.TestDatabases;
import dev.systemtables.testing.TestRedis;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * Several packaged nodes as separate processes on loopback, clustered over TCP/IP on free ports, sharing
 * one fresh PostgreSQL database and the test Redis (nodes run without Redis when there is none), and
 * reachable through their public HTTP ports only.
 */
final class ClusterNodes implements AutoCloseable {

  /**
   * The variables every node of these tests is given (REDIS_URL when there is a Redis). deploy/docker-compose.yml
   * gives its nodes the same ones, which {@code DeploymentFilesTest} checks.
   */
  static final List<String> NODE_VARIABLES = List.of("DATABASE_URL", "REDIS_URL", "JWT_SECRET", "HTTP_PORT",
      "ALLOWED_ORIGINS", "CLUSTER_ENABLED", "CLUSTER_HOST", "CLUSTER_PORT", "CLUSTER_MEMBERS");

  private final String databaseUrl;
  private final List<AppProcess> nodes;
  /** What each node was started with, so a stopped one can be started again the same way. */
  private final List<Map<String, String>> envs;
  private final List<String> jvmArgs;

  private ClusterNodes(String databaseUrl, List<AppProcess> nodes, List<Map<String, String>> envs, List<String> jvmArgs) {
    this.databaseUrl = databaseUrl;
    this.nodes = nodes;
    this.envs = envs;
    this.jvmArgs = jvmArgs;
  }

  /**
   * Starts {@code count} nodes, each with this YAML patch and every node as seed member, and waits until
   * every one is ready and sees all the others. One after the other: several JVMs starting at once on a
   * small CI machine starve each other (start-up database connections time out), and the first node
   * forms the cluster alone anyway.
   */
  static ClusterNodes start(int count, JsonObject yamlPatch) throws Exception {
    String db = TestDatabases.freshDatabase();
    String redis = TestRedis.url();
    Path config = AppProcess.configFile(yamlPatch);
    List<Integer> httpPorts = new ArrayList<>();
    List<Integer> clusterPorts = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      httpPorts.add(TestApp.freePort());
      clusterPorts.add(TestApp.freePort());
    }
    String members = clusterPorts.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
    // Browsers of the tests come from the nodes' own origins.
    String origins = httpPorts.stream().map(p -> "http://127.0.0.1:" + p).collect(Collectors.joining(","));
    List<AppProcess> nodes = new ArrayList<>();
    List<Map<String, String>> envs = new ArrayList<>();
    List<String> jvmArgs = List.of(AppProcess.configArg(config));
    try {
      for (int i = 0; i < count; i++) {
        Map<String, String> env = new HashMap<>();
        env.put("DATABASE_URL", db);
        if (redis != null) env.put("REDIS_URL", redis);
        env.put("JWT_SECRET", TestApp.SECRET);
        env.put("HTTP_PORT", String.valueOf(httpPorts.get(i)));
        env.put("ALLOWED_ORIGINS", origins);
        env.put("CLUSTER_ENABLED", "true");
        env.put("CLUSTER_HOST", "127.0.0.1");
        env.put("CLUSTER_PORT", String.valueOf(clusterPorts.get(i)));
        env.put("CLUSTER_MEMBERS", members);
        if (!NODE_VARIABLES.containsAll(env.keySet())) throw new IllegalStateException("update NODE_VARIABLES: " + env.keySet());
        envs.add(Map.copyOf(env));
        AppProcess node = AppProcess.start("node" + (char) ('A' + i), env, jvmArgs);
        nodes.add(node);
        node.awaitReady(Duration.ofSeconds(90));
      }
      ClusterNodes cluster = new ClusterNodes(db, nodes, envs, jvmArgs);
      for (AppProcess n : nodes) {
        eventually("node on port " + n.port() + " sees " + count + " members",
            Duration.ofSeconds(30), () -> members(n) == count);
      }
      return cluster;
    } catch (Exception | Error e) {
      nodes.forEach(AppProcess::close);
      for (AppProcess n : nodes) System.err.println("---- output of node on port " + n.port() + ":\n" + n.output());
      throw e;
    }
  }

  AppProcess node(int i) {
    return nodes.get(i);
  }

  /** Every node's HTTP port, in order (a restarted node keeps its ports). */
  List<Integer> httpPorts() {
    return nodes.stream().map(AppProcess::port).toList();
  }

  /**
   * Starts node {@code i} again, after it exited, with the same ports, variables and config file, as an
   * orchestrator restarts a stopped instance; returns once it answers ready.
   */
  AppProcess restart(int i) throws Exception {
    AppProcess old = nodes.get(i);
    if (old.isAlive()) throw new IllegalStateException("node " + i + " is still running");
    AppProcess node = AppProcess.start("node" + (char) ('A' + i) + "-again", envs.get(i), jvmArgs);
    nodes.set(i, node);
    // Generous: under load, on a shared 2-core machine, a JVM's start can take a minute.
    node.awaitReady(Duration.ofSeconds(180));
    return node;
  }

  /**
   * Debian's HAProxy running {@code deploy/haproxy.cfg} in front of these nodes, returned once its health checks
   * report every node UP.
   */
  Haproxy behindHaproxy() throws Exception {
    Haproxy haproxy = Haproxy.start(httpPorts());
    try {
      for (int i = 0; i < nodes.size(); i++) haproxy.awaitServer(Haproxy.serverName(i), "UP", Duration.ofSeconds(30));
    } catch (InterruptedException | RuntimeException | Error e) {
      haproxy.close();
      throw e;
    }
    return haproxy;
  }

  String databaseUrl() {
    return databaseUrl;
  }

  /** The members a node counts in its cluster (itself included), from its {@code cluster_members} gauge. */
  static int members(AppProcess node) {
    return (int) node.metric("cluster_members");
  }

  /** A token for the nodes' shared secret, valid 10 minutes. */
  static String token(String sub, String role) {
    return Jwts.hs256(TestApp.SECRET, new JsonObject().put("sub", sub).put("role", role).put("exp", Jwts.now() + 600));
  }

  /**
   * A caller id of its own for this run: rate-limit windows are kept per caller in the shared Redis, for
   * longer than one run, so a fixed id would run out of its hourly allowance after a few runs.
   */
  static String unique(String prefix) {
    return prefix + "-" + java.util.UUID.randomUUID().toString().substring(0, 8);
  }

  /** Polls until the condition holds, failing with the description after the timeout. */
  static void eventually(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("not within " + timeout + ": " + what);
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  /** Every node's output, for a failure message. */
  String outputs() {
    StringBuilder sb = new StringBuilder();
    for (AppProcess n : nodes) sb.append("\n---- node on port ").append(n.port()).append(":\n").append(n.output());
    return sb.toString();
  }

  @Override
  public void close() {
    nodes.forEach(AppProcess::close);
  }
}
