package dev.systemtables.cluster;

import dev.systemtables.config.AppConfig;
import dev.systemtables.testing.Haproxy;
import dev.systemtables.testing.TestApp;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The deployment files that cannot be run here (no container engine): {@code deploy/docker-compose.yml} and
 * the {@code Dockerfile} are read and checked against each other, against {@code deploy/haproxy.cfg}, and
 * against what the cluster tests give their nodes and HAProxy. {@code deploy/haproxy.cfg} itself is also
 * checked by Debian's haproxy ({@code -c}); it is run for real by {@link RollingRestartIT} and
 * {@link BrowserFailoverIT}.
 */
@DisplayName("Deployment files: docker-compose.yml, Dockerfile and haproxy.cfg agree with each other and with the tests")
class DeploymentFilesTest {

  private static final Path COMPOSE = Path.of("deploy/docker-compose.yml");
  private static final Path DOCKERFILE = Path.of("Dockerfile");
  private static final List<String> NODES = List.of("node1", "node2", "node3");

  @SuppressWarnings("unchecked")
  private static Map<String, Object> compose() throws IOException {
    return new Yaml().load(Files.readString(COMPOSE));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    assertThat(o).isInstanceOf(Map.class);
    return (Map<String, Object>) o;
  }

  private static Map<String, Object> service(String name) throws IOException {
    return map(map(compose().get("services")).get(name));
  }

  private static Map<String, Object> env(String service) throws IOException {
    return map(service(service).get("environment"));
  }

  @Test
  @DisplayName("Debian's haproxy accepts deploy/haproxy.cfg with the variables the tests set")
  void haproxyAcceptsTheFile() throws Exception {
    assertThat(Haproxy.BINARY.canExecute()).as("Debian's haproxy is required (apt-get install -y haproxy)").isTrue();
    ProcessBuilder pb = new ProcessBuilder(Haproxy.BINARY.getPath(), "-c", "-f", Haproxy.CONFIG.toString())
        .redirectErrorStream(true);
    pb.environment().put(Haproxy.BIND, "127.0.0.1:" + TestApp.freePort());
    pb.environment().put(Haproxy.STATS_BIND, "127.0.0.1:" + TestApp.freePort());
    for (int i = 0; i < 3; i++) pb.environment().put(Haproxy.nodeVariable(i), "127.0.0.1:" + TestApp.freePort());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("Configuration file is valid").doesNotContain("WARNING").doesNotContain("ALERT");
  }

  @Test
  @DisplayName("haproxy.cfg reads exactly the variables the tests and the compose file set, each with a default, and checks readiness faster than a node drains")
  void haproxyVariablesAndChecks() throws IOException {
    String cfg = Files.readString(Haproxy.CONFIG);
    Set<String> used = new LinkedHashSet<>();
    Matcher m = Pattern.compile("\\$\\{([A-Z0-9_]+)}").matcher(cfg);
    while (m.find()) used.add(m.group(1));
    Set<String> expected = Set.of(Haproxy.BIND, Haproxy.STATS_BIND, Haproxy.nodeVariable(0), Haproxy.nodeVariable(1),
        Haproxy.nodeVariable(2));
    assertThat(used).containsExactlyInAnyOrderElementsOf(expected);
    for (String v : expected) assertThat(cfg).containsPattern("(?m)^\\s*presetenv " + v + " ");
    assertThat(env("haproxy").keySet()).containsExactlyInAnyOrderElementsOf(expected);

    assertThat(cfg).contains("http-check send meth GET uri /health/ready").contains("http-check expect status 200");
    for (int i = 0; i < 3; i++) {
      assertThat(cfg).contains("server " + Haproxy.serverName(i) + " \"${" + Haproxy.nodeVariable(i) + "}\" check");
      assertThat(cfg).contains("server " + Haproxy.serverName(i) + " \"${" + Haproxy.nodeVariable(i) + "}\" track nodes/"
          + Haproxy.serverName(i));
    }
    // A draining node must be out of rotation before its listener closes: checks every inter, out after fall.
    long inter = seconds(cfg, "default-server .*?\\binter (\\S+)");
    long fall = Long.parseLong(find(cfg, "default-server .*?\\bfall (\\d+)"));
    int drain = TestApp.baseConfig().section("shutdown").getInteger("drainSeconds");
    assertThat(inter * fall + seconds(cfg, "timeout check (\\S+)")).as("worst time to notice a draining node, ms")
        .isLessThan(drain * 1000L);
    // Bridge sockets ping every 5 s: the tunnel timeout must not cut a live one, nor keep a dead one for long.
    assertThat(seconds(cfg, "timeout tunnel (\\S+)")).isBetween(15_000L, 3_600_000L);
  }

  @SuppressWarnings("unchecked")
  @Test
  @DisplayName("The compose file has PostgreSQL, Redis, three nodes and HAProxy, each with a health check, HAProxy waiting for healthy nodes")
  void composeServices() throws IOException {
    Map<String, Object> services = map(compose().get("services"));
    assertThat(services.keySet()).containsExactlyInAnyOrder("postgres", "redis", "node1", "node2", "node3", "haproxy");
    for (String name : services.keySet()) {
      Map<String, Object> check = map(map(services.get(name)).get("healthcheck"));
      assertThat(check.get("test")).as(name + " health check").isNotNull();
    }
    assertThat(service("postgres").get("image").toString()).startsWith("postgres:");
    assertThat(service("redis").get("image").toString()).startsWith("redis:");
    assertThat(service("haproxy").get("image").toString()).startsWith("haproxy:");
    assertThat((List<Object>) service("haproxy").get("volumes")).contains((Object) "./haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro");
    Map<String, Object> haproxyDeps = map(service("haproxy").get("depends_on"));
    for (String node : NODES) {
      assertThat(map(haproxyDeps.get(node))).containsEntry("condition", "service_healthy");
      Map<String, Object> deps = map(service(node).get("depends_on"));
      assertThat(map(deps.get("postgres"))).containsEntry("condition", "service_healthy");
      assertThat(map(deps.get("redis"))).containsEntry("condition", "service_healthy");
      assertThat(map(service(node).get("build"))).containsEntry("context", "..").containsEntry("dockerfile", "Dockerfile");
      // Room for the drain and the in-flight requests before Docker's SIGKILL.
      int drain = TestApp.baseConfig().section("shutdown").getInteger("drainSeconds");
      assertThat(seconds(String.valueOf(service(node).get("stop_grace_period")), "(\\S+)") / 1000)
          .isGreaterThanOrEqualTo(drain + 10 + 5);
      assertThat(String.valueOf(map(service(node).get("healthcheck")).get("test")))
          .contains("/health/live").contains("8080");
    }
  }

  @SuppressWarnings("unchecked")
  @Test
  @DisplayName("The compose nodes get the variables the cluster tests give their nodes, clustered with each other, behind HAProxy's server addresses")
  void composeNodesMatchTheTests() throws IOException {
    Map<String, Object> pg = env("postgres");
    List<String> members = new ArrayList<>();
    for (String node : NODES) {
      Map<String, Object> env = env(node);
      assertThat(env.keySet()).as(node).containsExactlyInAnyOrderElementsOf(ClusterNodes.NODE_VARIABLES);
      assertThat(AppConfig.ENV_KEYS).containsAll(env.keySet());
      assertThat(env).containsEntry("CLUSTER_ENABLED", "true").containsEntry("CLUSTER_HOST", node);
      members.add(node + ":" + env.get("CLUSTER_PORT"));
      URI db = URI.create(env.get("DATABASE_URL").toString());
      assertThat(db.getHost()).isEqualTo("postgres");
      assertThat(db.getUserInfo()).isEqualTo(pg.get("POSTGRES_USER") + ":" + pg.get("POSTGRES_PASSWORD"));
      assertThat(db.getPath()).isEqualTo("/" + pg.get("POSTGRES_DB"));
      assertThat(URI.create(env.get("REDIS_URL").toString()).getHost()).isEqualTo("redis");
      assertThat(env.get("JWT_SECRET").toString()).startsWith("${JWT_SECRET:?");
      // HAProxy reaches each node at its service name and HTTP_PORT.
      int i = NODES.indexOf(node);
      assertThat(env("haproxy")).containsEntry(Haproxy.nodeVariable(i), node + ":" + env.get("HTTP_PORT"));
    }
    for (String node : NODES) {
      assertThat(List.of(env(node).get("CLUSTER_MEMBERS").toString().split(","))).containsExactlyElementsOf(members);
    }
    // The published port is HAProxy's listener, and the allowed origin is that address.
    String bind = env("haproxy").get(Haproxy.BIND).toString();
    String port = bind.substring(bind.lastIndexOf(':') + 1);
    assertThat((List<Object>) service("haproxy").get("ports")).contains((Object) (port + ":" + port));
    assertThat(env("node1").get("ALLOWED_ORIGINS").toString()).isEqualTo("http://localhost:" + port);
  }

  @Test
  @DisplayName("The Dockerfile builds in a stage of its own, runs the jar as a non-root user with exec-form java (SIGTERM reaches the JVM) and a HEALTHCHECK on /health/live at HTTP_PORT")
  void dockerfileShape() throws IOException {
    List<String> instructions = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : Files.readAllLines(DOCKERFILE)) {
      if (current.isEmpty() && (line.isBlank() || line.strip().startsWith("#"))) continue;
      if (line.endsWith("\\")) {
        current.append(line, 0, line.length() - 1).append(' ');
      } else {
        instructions.add(current.append(line).toString().strip());
        current.setLength(0);
      }
    }
    assertThat(current.toString()).as("no dangling line continuation").isEmpty();
    Set<String> known = Set.of("FROM", "RUN", "COPY", "WORKDIR", "USER", "ENV", "EXPOSE", "HEALTHCHECK", "ENTRYPOINT",
        "CMD", "ARG", "LABEL", "STOPSIGNAL");
    for (String i : instructions) assertThat(known).as(i).contains(i.split("\\s+")[0]);

    List<Integer> froms = new ArrayList<>();
    for (int i = 0; i < instructions.size(); i++) if (instructions.get(i).startsWith("FROM ")) froms.add(i);
    assertThat(froms).as("a build stage and a runtime stage").hasSize(2);
    assertThat(instructions.get(froms.get(0))).endsWith(" AS build");
    List<String> runtime = instructions.subList(froms.get(1), instructions.size());
    assertThat(String.join("\n", runtime)).doesNotContain("mvn").contains("COPY --from=build /src/target/system-tables.jar");

    String user = runtime.stream().filter(i -> i.startsWith("USER ")).findFirst().orElseThrow().substring(5).strip();
    assertThat(user).isNotIn("root", "0", "0:0");
    assertThat(runtime).anyMatch(i -> i.startsWith("RUN ") && i.contains("useradd") && i.contains(" " + user));
    int userAt = indexOf(runtime, "USER ");
    assertThat(userAt).as("USER before ENTRYPOINT").isLessThan(indexOf(runtime, "ENTRYPOINT "));
    assertThat(runtime).noneMatch(i -> i.startsWith("STOPSIGNAL "));

    String entrypoint = runtime.get(indexOf(runtime, "ENTRYPOINT ")).substring("ENTRYPOINT ".length());
    assertThat(entrypoint).as("exec form: java is PID 1 and gets SIGTERM itself").startsWith("[\"java\"")
        .contains("\"-jar\"");

    String healthcheck = runtime.get(indexOf(runtime, "HEALTHCHECK "));
    assertThat(healthcheck).contains("--interval=").contains("--timeout=").contains("--start-period=").contains("--retries=")
        .contains(" CMD ").contains("http://127.0.0.1:${HTTP_PORT:-8080}/health/live").contains("|| exit 1");
    assertThat(runtime).anyMatch(i -> i.startsWith("RUN ") && i.contains("apt-get install") && i.contains(" curl")
        && i.contains("--no-install-recommends") && i.contains("rm -rf /var/lib/apt/lists/*"));
    assertThat(runtime.get(indexOf(runtime, "EXPOSE "))).contains("8080").contains("5701");
  }

  private static int indexOf(List<String> instructions, String prefix) {
    for (int i = 0; i < instructions.size(); i++) if (instructions.get(i).startsWith(prefix)) return i;
    throw new AssertionError("no " + prefix + "in " + instructions);
  }

  private static String find(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    assertThat(m.find()).as(regex).isTrue();
    return m.group(1);
  }

  /** A duration as HAProxy and Compose write them (500ms, 2s, 30s, 1m), in milliseconds. */
  private static long seconds(String text, String regex) {
    String v = find(text, regex);
    Matcher m = Pattern.compile("(\\d+)(ms|s|m|h)?").matcher(v);
    assertThat(m.matches()).as(v).isTrue();
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "ms" : m.group(2);
    return switch (unit) {
      case "ms" -> n;
      case "s" -> n * 1000;
      case "m" -> n * 60_000;
      default -> n * 3_600_000;
    };
  }
}
