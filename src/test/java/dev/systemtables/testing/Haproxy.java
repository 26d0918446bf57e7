package dev.systemtables.testing;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code haproxy} running {@code deploy/haproxy.cfg} (the file operators ship) in front of local
 * nodes, as a process of its own on free ports. The file takes its addresses from environment variables;
 * their names are here, once, and {@code DeploymentFilesTest} checks that the compose file sets the same.
 * Fails, never skips, when haproxy is missing: {@code .ci/run} installs it.
 */
public final class Haproxy implements HttpNode, AutoCloseable {

  public static final File BINARY = new File("/usr/sbin/haproxy");
  public static final Path CONFIG = Path.of("deploy/haproxy.cfg");
  public static final String BIND = "HAPROXY_BIND";
  public static final String STATS_BIND = "HAPROXY_STATS_BIND";

  /** The variable holding node {@code i}'s (0-based) {@code host:port}. */
  public static String nodeVariable(int i) {
    return "NODE" + (i + 1) + "_ADDR";
  }

  /** The server name of node {@code i} (0-based) in both backends of the file. */
  public static String serverName(int i) {
    return "node" + (i + 1);
  }

  private final Process process;
  private final Path log;
  private final int port;
  private final int statsPort;

  private Haproxy(Process process, Path log, int port, int statsPort) {
    this.process = process;
    this.log = log;
    this.port = port;
    this.statsPort = statsPort;
  }

  /** Starts HAProxy on free ports in front of nodes listening on these loopback HTTP ports (three of them). */
  public static Haproxy start(List<Integer> nodePorts) throws Exception {
    if (!BINARY.canExecute()) {
      throw new IllegalStateException("Debian's haproxy is required (apt-get install -y haproxy; .ci/run installs it)");
    }
    int port = TestApp.freePort();
    int statsPort = TestApp.freePort();
    Path log = Files.createTempFile("haproxy-", ".log");
    ProcessBuilder pb = new ProcessBuilder(BINARY.getPath(), "-db", "-f", CONFIG.toAbsolutePath().toString())
        .redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put(BIND, "127.0.0.1:" + port);
    pb.environment().put(STATS_BIND, "127.0.0.1:" + statsPort);
    for (int i = 0; i < nodePorts.size(); i++) pb.environment().put(nodeVariable(i), "127.0.0.1:" + nodePorts.get(i));
    Haproxy proxy = new Haproxy(pb.start(), log, port, statsPort);
    try {
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (true) {
        if (!proxy.process.isAlive()) throw new IllegalStateException("haproxy exited: " + proxy.output());
        try {
          if (proxy.statsGet("/healthz").statusCode() == 200) break;
        } catch (IOException e) {
          // not listening yet
        }
        if (System.nanoTime() > deadline) throw new IllegalStateException("haproxy did not start: " + proxy.output());
        Thread.sleep(100);
      }
      return proxy;
    } catch (Exception | Error e) {
      proxy.close();
      throw e;
    }
  }

  @Override
  public String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /**
   * Each server's state in a backend as HAProxy sees it, by server name: {@code UP}, {@code DOWN},
   * {@code MAINT}, or a transition such as {@code UP 1/2} (from the stats CSV).
   */
  public Map<String, String> servers(String backend) {
    try {
      String csv = statsGet("/stats;csv").body();
      String[] lines = csv.split("\n");
      List<String> header = List.of(lines[0].replaceFirst("^# ", "").split(",", -1));
      int px = header.indexOf("pxname");
      int sv = header.indexOf("svname");
      int status = header.indexOf("status");
      Map<String, String> out = new LinkedHashMap<>();
      for (int i = 1; i < lines.length; i++) {
        String[] f = lines[i].split(",", -1);
        if (f.length <= status || !f[px].equals(backend) || f[sv].equals("FRONTEND") || f[sv].equals("BACKEND")) continue;
        out.put(f[sv], f[status]);
      }
      return out;
    } catch (IOException e) {
      throw new IllegalStateException("haproxy stats: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Waits until HAProxy reports this server of the {@code nodes} backend in exactly this state. */
  public void awaitServer(String server, String state, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String seen = null;
    while (System.nanoTime() < deadline) {
      seen = servers("nodes").get(server);
      if (state.equals(seen)) return;
      Thread.sleep(100);
    }
    throw new AssertionError("haproxy did not report " + server + " " + state + " within " + timeout
        + " (last seen: " + seen + ")");
  }

  private HttpResponse<String> statsGet(String path) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + statsPort + path))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** HAProxy's output: its warnings and one line per request (option httplog). */
  public String output() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "<no output: " + e + ">";
    }
  }

  /** The request log lines (those with an HTTP method in quotes). */
  public List<String> requestLog() {
    List<String> lines = new ArrayList<>();
    for (String line : output().split("\n")) {
      if (line.contains(" \"GET ") || line.contains(" \"POST ") || line.contains(" \"PUT ")
          || line.contains(" \"PATCH ") || line.contains(" \"DELETE ")) {
        lines.add(line);
      }
    }
    return lines;
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          process.waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
