package dev.systemtables.notifications;

import dev.systemtables.testing.TestApp;
import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Redis of the test's own (a {@code redis-server} child process on a free port), for tests that
 * stop and restart it: the shared Redis is never stopped. Snapshots go to a temporary directory
 * only when the test asks ({@code SAVE}), so a restart can bring back old, stale counters.
 */
final class LocalRedisServer implements AutoCloseable {

  private final int port = TestApp.freePort();
  private final Path dir;
  private Process process;

  private LocalRedisServer() throws IOException {
    dir = Files.createTempDirectory("redis-test");
  }

  /** Starts one, or skips the test when no {@code redis-server} is installed. */
  static LocalRedisServer start() throws Exception {
    Assumptions.assumeTrue(binary() != null,
        "skipped: needs the redis-server program to run a Redis it may stop (CI installs it)");
    LocalRedisServer r = new LocalRedisServer();
    r.startProcess();
    return r;
  }

  String url() {
    return "redis://127.0.0.1:" + port;
  }

  void startProcess() throws Exception {
    process = new ProcessBuilder(binary(), "--port", String.valueOf(port), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--dbfilename", "dump.rdb")
        .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
    long deadline = System.currentTimeMillis() + 10_000;
    while (System.currentTimeMillis() < deadline) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException notYet) {
        Thread.sleep(20);
      }
    }
    throw new IllegalStateException("redis-server did not start: " + Files.readString(dir.resolve("redis.log")));
  }

  /** Kills the process (only this test's own server). */
  void kill() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Override
  public void close() throws Exception {
    kill();
    try (var files = Files.list(dir)) {
      for (Path p : files.toList()) Files.deleteIfExists(p);
    }
    Files.deleteIfExists(dir);
  }

  private static String binary() {
    for (String d : List.of("/usr/bin", "/usr/local/bin", "/usr/sbin")) {
      File f = new File(d, "redis-server");
      if (f.canExecute()) return f.getPath();
    }
    return null;
  }
}
