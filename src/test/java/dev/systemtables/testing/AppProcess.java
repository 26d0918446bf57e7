package dev.systemtables.testing;

import io.vertx.core.json.JsonObject;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
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
 * The packaged jar running as its own process, as an operator runs it: configured by environment variables
 * (and, when a test must change a YAML-only setting such as a cron schedule, by a config file of its own).
 */
public final class AppProcess implements HttpNode, AutoCloseable {

  private final Process process;
  private final Path log;
  private final int port;

  private AppProcess(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.port = port;
  }

  /**
   * Starts {@code target/system-tables.jar} with exactly these extra environment variables (a null value
   * removes that variable from the inherited environment).
   */
  public static AppProcess start(String name, Map<String, String> env) throws IOException {
    return start(name, env, List.of());
  }

  /**
   * Same, with extra JVM arguments before {@code -jar}, e.g. {@code -Dconfig=<path>} from
   * {@link #configFile(JsonObject)}.
   */
  public static AppProcess start(String name, Map<String, String> env, List<String> jvmArgs) throws IOException {
    String jar = System.getProperty("app.jar", "target/system-tables.jar");
    if (!new File(jar).exists()) throw new IllegalStateException("package the jar first: " + jar);
    Path log = Files.createTempFile("system-tables-" + name + "-", ".log");
    List<String> command = new ArrayList<>(List.of(javaBin(), "-Xmx512m"));
    command.addAll(jvmArgs);
    command.addAll(List.of("-jar", jar));
    ProcessBuilder pb = new ProcessBuilder(command)
        .redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("TEST_"));
    env.forEach((k, v) -> {
      if (v == null) {
        pb.environment().remove(k);
      } else {
        pb.environment().put(k, v);
      }
    });
    int port = Integer.parseInt(env.getOrDefault("HTTP_PORT", "8080"));
    return new AppProcess(pb.start(), log, port);
  }

  /**
   * A whole config file for {@code -Dconfig=}: conf/config.yaml with this patch deep-merged in, written as
   * JSON (which the YAML reader takes as it is). The service reads only that file, so it must be complete.
   */
  public static Path configFile(JsonObject yamlPatch) throws IOException {
    JsonObject tree = TestApp.baseConfig().raw().copy().mergeIn(yamlPatch, true);
    Path file = Files.createTempFile("system-tables-config-", ".yaml");
    Files.writeString(file, tree.encodePrettily());
    file.toFile().deleteOnExit();
    return file;
  }

  /** The JVM argument that makes the process read this config file instead of conf/config.yaml. */
  public static String configArg(Path file) {
    return "-Dconfig=" + file.toAbsolutePath();
  }

  private static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  public int port() {
    return port;
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  /** Waits until {@code /health/ready} answers 200. */
  public AppProcess awaitReady(Duration timeout) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) throw new IllegalStateException("process exited: " + output());
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/health/ready"))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) return this;
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("not ready in " + timeout + ": " + output());
  }

  /**
   * This node's {@code /metrics} as series name with labels (exactly as written in the Prometheus text,
   * e.g. {@code jobs_runs_total{job="idempotency-cleanup",status="SUCCEEDED"}}) to value.
   */
  public Map<String, Double> metrics() {
    Resp r = get("/metrics", null);
    if (r.status() != 200) throw new IllegalStateException("/metrics answered " + r);
    Map<String, Double> series = new LinkedHashMap<>();
    for (String line : r.body().split("\n")) {
      if (line.isBlank() || line.startsWith("#")) continue;
      int space = line.lastIndexOf(' ');
      series.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
    }
    return series;
  }

  /** One series of {@link #metrics()}, 0 when this node has not created it (yet). */
  public double metric(String series) {
    return metrics().getOrDefault(series, 0.0);
  }

  /** SIGTERM, as an orchestrator stops a node. */
  public void terminate() {
    process.destroy();
  }

  /** SIGKILL, as a crash. */
  public void kill() {
    process.destroyForcibly();
  }

  public int waitForExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("did not exit in " + timeout);
    }
    return process.exitValue();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public String output() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "<no output: " + e + ">";
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
