package dev.systemtables.ofrep;

import dev.systemtables.testing.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OpenFeature web SDK with its OFREP provider, driven from Node: {@code clients/openfeature} (package.json and
 * package-lock.json pin {@code @openfeature/web-sdk} 1.10.0, {@code @openfeature/ofrep-web-provider} 0.4.3, and the
 * bridge client {@code @vertx/eventbus-bridge-client.js} 1.0.0 with {@code sockjs-client} 1.6.1 for the
 * flags.changed glue in {@code src/flags-changed.mjs}). The Node tests: bulk evaluation with an ETag, the unchanged
 * poll answered 304, an admin's change arriving on the next poll, a user token evaluating its own claims, a missing
 * flag, typed flags (string, numbers, object), a forged token, and the flags.changed push making the provider
 * re-fetch without polling.
 *
 * <p>Needs {@code node} on the PATH ({@code .ci/run} installs it): without it the test is skipped with a message,
 * except under CI ({@code CI} set), where it fails. The packages are installed with {@code npm ci} when
 * {@code clients/openfeature/node_modules} is missing.
 */
@DisplayName("OFREP: the OpenFeature web SDK with its OFREP provider, from Node")
class OfrepWebProviderTest {

  static final Path CLIENTS = Path.of("clients", "openfeature").toAbsolutePath();
  static final Duration NODE_TIMEOUT = Duration.ofMinutes(3);

  static TestApp app;

  @BeforeAll
  static void start() throws Exception {
    boolean node = run(List.of("node", "--version"), Map.of(), Duration.ofSeconds(30)).exit() == 0;
    if (!node && System.getenv("CI") != null) {
      throw new AssertionError("node is not on the PATH: .ci/run must install it, the OpenFeature web tests need it");
    }
    Assumptions.assumeTrue(node, "node is not on the PATH: the OpenFeature web provider tests are skipped");
    if (!Files.isDirectory(CLIENTS.resolve("node_modules/@openfeature/ofrep-web-provider"))) {
      Outcome install = run(List.of("npm", "ci", "--no-audit", "--no-fund"), Map.of(), Duration.ofMinutes(5));
      assertThat(install.exit()).as("npm ci in clients/openfeature:\n" + install.output()).isZero();
    }
    app = TestApp.start();
  }

  @AfterAll
  static void stop() {
    if (app != null) app.close();
  }

  @Test
  @DisplayName("bulk + ETag, the 304 poll, an admin change on the next poll, and the flags.changed push pass in Node")
  void webProvider() throws Exception {
    Outcome tests = run(List.of("node", "--test", "--test-reporter=spec", "test/web-provider.test.mjs"),
        Map.of("OFREP_BASE_URL", app.baseUrl(), "JWT_SECRET", TestApp.SECRET), NODE_TIMEOUT);
    System.out.println(tests.output());
    assertThat(tests.exit()).as(tests.output()).isZero();
    assertThat(tests.output()).contains("ℹ pass 5").contains("ℹ fail 0")
        .contains("answered 304").contains("flags.changed push:");
  }

  record Outcome(int exit, String output) {
  }

  /** Runs a command in clients/openfeature with extra environment; its output (stdout and stderr) in one string. */
  private static Outcome run(List<String> command, Map<String, String> env, Duration timeout) throws Exception {
    Path log = Files.createTempFile("ofrep-web-", ".log");
    try {
      ProcessBuilder pb = new ProcessBuilder(command).directory(CLIENTS.toFile())
          .redirectErrorStream(true).redirectOutput(log.toFile());
      pb.environment().putAll(env);
      Process p;
      try {
        p = pb.start();
      } catch (IOException e) {
        return new Outcome(-1, command.get(0) + " could not start: " + e.getMessage());
      }
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        return new Outcome(-2, "timed out after " + timeout + ":\n" + Files.readString(log, StandardCharsets.UTF_8));
      }
      return new Outcome(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(log);
    }
  }
}
