package dev.systemtables.testing;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The packaged jar running as its own process, as an operator runs it: configured by environment only. */
public final class AppProcess implements AutoCloseable {

  private final Process process;
  private final Path log;
  private final int port;

  private AppProcess(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.port = port;
  }

  /** Starts {@code target/system-tables.jar} with exactly these extra environment variables. */
  public static AppProcess start(String name, Map<String, String> env) throws IOException {
    String jar = System.getProperty("app.jar", "target/system-tables.jar");
    if (!new File(jar).exists()) throw new IllegalStateException("package the jar first: " + jar);
    Path log = Files.createTempFile("system-tables-" + name + "-", ".log");
    ProcessBuilder pb = new ProcessBuilder(javaBin(), "-Xmx512m", "-jar", jar)
        .redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("TEST_"));
    pb.environment().putAll(env);
    int port = Integer.parseInt(env.getOrDefault("HTTP_PORT", "8080"));
    return new AppProcess(pb.start(), log, port);
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
