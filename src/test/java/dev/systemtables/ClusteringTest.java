package dev.systemtables;

import com.hazelcast.cluster.Address;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import dev.systemtables.config.AppConfig;
import dev.systemtables.testing.TestApp;
import dev.systemtables.testing.TestDatabases;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("Clustering on demand: Hazelcast only with CLUSTER_ENABLED, configured from conf/cluster.xml and the variables")
class ClusteringTest {

  @Test
  @DisplayName("Without CLUSTER_ENABLED a node starts no Hazelcast instance, no Hazelcast thread and no cluster metric")
  void nothingOfHazelcastWhenNotClustered() {
    try (TestApp app = TestApp.start()) {
      assertThat(app.app().clustered()).isFalse();
      assertThat(app.app().vertx().isClustered()).isFalse();
      assertThat(Hazelcast.getAllHazelcastInstances()).isEmpty();
      // Hazelcast names all of its threads "hz.<instance>.<purpose>".
      assertThat(Thread.getAllStackTraces().keySet()).map(Thread::getName).noneMatch(n -> n.startsWith("hz."));
      assertThat(app.get("/metrics", null).body()).doesNotContain("cluster_members");
    }
  }

  @Test
  @DisplayName("With CLUSTER_ENABLED the node joins as a Hazelcast member on CLUSTER_HOST:CLUSTER_PORT, TCP/IP only, and leaves on shutdown")
  void clusteredNodeJoinsAndLeaves() {
    int clusterPort = TestApp.freePort();
    HazelcastInstance hz;
    try (TestApp app = TestApp.start(Map.of("CLUSTER_ENABLED", "true", "CLUSTER_HOST", "127.0.0.1",
        "CLUSTER_PORT", String.valueOf(clusterPort)))) {
      assertThat(app.app().clustered()).isTrue();
      assertThat(app.app().vertx().isClustered()).isTrue();
      assertThat(Hazelcast.getAllHazelcastInstances()).hasSize(1);
      hz = Hazelcast.getAllHazelcastInstances().iterator().next();
      Address self = hz.getCluster().getLocalMember().getAddress();
      assertThat(self.getHost()).isEqualTo("127.0.0.1");
      assertThat(self.getPort()).isEqualTo(clusterPort);
      JoinConfig join = hz.getConfig().getNetworkConfig().getJoin();
      assertThat(join.getMulticastConfig().isEnabled()).isFalse();
      assertThat(join.getTcpIpConfig().isEnabled()).isTrue();
      assertThat(join.getTcpIpConfig().getMembers()).containsExactly("127.0.0.1:" + clusterPort);
      assertThat(hz.getConfig().getClusterName()).isEqualTo("system-tables");
      // The event bus listens where the operator said, not on whatever interface Vert.x would pick.
      assertThat(app.app().clusterManager().getNodeInfo().host()).isEqualTo("127.0.0.1");
      assertThat(app.app().clusterManager().getNodes()).hasSize(1);
      assertThat(app.get("/metrics", null).body()).contains("cluster_members 1.0");
      assertThat(app.get("/health/ready", null).status()).isEqualTo(200);
    }
    assertThat(hz.getLifecycleService().isRunning()).as("the member left on shutdown").isFalse();
    assertThat(Hazelcast.getAllHazelcastInstances()).isEmpty();
  }

  @ParameterizedTest(name = "CLUSTER_ENABLED={0}")
  @ValueSource(booleans = {false, true})
  @DisplayName("A node whose boot fails (HTTP port taken) reports the failure, leaves the cluster and leaves no Hazelcast behind")
  void failedBootIsReported(boolean clustered) throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("0.0.0.0"))) {
      Map<String, String> env = new HashMap<>();
      env.put("DATABASE_URL", TestDatabases.freshDatabase());
      env.put("HTTP_PORT", String.valueOf(taken.getLocalPort()));
      env.put("JWT_SECRET", TestApp.SECRET);
      env.put("CLUSTER_ENABLED", String.valueOf(clustered));
      env.put("CLUSTER_PORT", String.valueOf(TestApp.freePort()));
      AppConfig config = TestApp.baseConfig().with(env);
      // Bounded, so a lost failure shows as a TimeoutException rather than a hung build.
      assertThatThrownBy(() -> Application.start(config).await(60, TimeUnit.SECONDS))
          .isNotInstanceOf(TimeoutException.class)
          .hasStackTraceContaining("Address already in use");
    }
    assertThat(Hazelcast.getAllHazelcastInstances()).isEmpty();
  }

  @Test
  @DisplayName("conf/cluster.xml keeps the maps Vert.x needs, and the node's network comes from the variables")
  void configFromXmlAndVariables() {
    AppConfig config = TestApp.baseConfig().with(Map.of("CLUSTER_ENABLED", "true", "CLUSTER_HOST", "127.0.0.1",
        "CLUSTER_PORT", "5801", "CLUSTER_MEMBERS", "127.0.0.1:5801, 127.0.0.1:5802,10.0.0.7"));
    Config hz = Clustering.hazelcastConfig(config);
    assertThat(hz.getMultiMapConfigs()).containsKey("__vertx.subs");
    assertThat(hz.getMapConfigs()).containsKeys("__vertx.haInfo", "__vertx.nodeInfo");
    assertThat(hz.getNetworkConfig().getPort()).isEqualTo(5801);
    assertThat(hz.getNetworkConfig().isPortAutoIncrement()).isFalse();
    JoinConfig join = hz.getNetworkConfig().getJoin();
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
    assertThat(join.getAutoDetectionConfig().isEnabled()).isFalse();
    assertThat(join.getTcpIpConfig().getMembers()).containsExactly("127.0.0.1:5801", "127.0.0.1:5802", "10.0.0.7");
    assertThat(hz.getProperty("hazelcast.wait.seconds.before.join")).isEqualTo("0");
    assertThat(hz.getProperty("hazelcast.max.wait.seconds.before.join")).isEqualTo("0");
    assertThat(hz.getProperty("hazelcast.shutdownhook.enabled")).isEqualTo("false");
    assertThat(hz.getProperty("hazelcast.logging.type")).isEqualTo("slf4j");
    assertThat(hz.getProperty("hazelcast.local.localAddress")).isEqualTo("127.0.0.1");
  }

  @Test
  @DisplayName("An operator's cluster.xml is read from the file system; without it the copy inside the jar is used")
  void operatorFileWins(@TempDir Path dir) throws Exception {
    Path xml = dir.resolve("cluster.xml");
    Files.writeString(xml, Files.readString(Path.of("conf/cluster.xml"))
        .replace("<cluster-name>system-tables</cluster-name>", "<cluster-name>staging</cluster-name>")
        .replace("<property name=\"hazelcast.max.no.heartbeat.seconds\">5</property>",
            "<property name=\"hazelcast.max.no.heartbeat.seconds\">30</property>"));
    AppConfig custom = TestApp.baseConfig().withYaml(
        new JsonObject().put("cluster", new JsonObject().put("configFile", xml.toString())), Map.of());
    Config fromFile = Clustering.hazelcastConfig(custom);
    assertThat(fromFile.getClusterName()).isEqualTo("staging");
    assertThat(fromFile.getProperty("hazelcast.max.no.heartbeat.seconds")).isEqualTo("30");

    AppConfig missing = TestApp.baseConfig().withYaml(
        new JsonObject().put("cluster", new JsonObject().put("configFile", dir.resolve("absent.xml").toString())), Map.of());
    Config fromJar = Clustering.hazelcastConfig(missing);
    assertThat(fromJar.getClusterName()).isEqualTo("system-tables");
    assertThat(fromJar.getMultiMapConfigs()).containsKey("__vertx.subs");
  }

  @Test
  @DisplayName("Without CLUSTER_MEMBERS the node seeds from itself only; malformed entries fail naming the variable")
  void members() {
    assertThat(Clustering.members(null, "10.1.2.3", 5701)).containsExactly("10.1.2.3:5701");
    assertThat(Clustering.members(" , ", "127.0.0.1", 5702)).containsExactly("127.0.0.1:5702");
    assertThat(Clustering.members("a.example:5701,[::1]:5702,b", "h", 1)).containsExactly("a.example:5701", "[::1]:5702", "b");
    assertThatThrownBy(() -> Clustering.members("127.0.0.1:5701-5703", "h", 1))
        .hasMessageContaining("CLUSTER_MEMBERS").hasMessageContaining("127.0.0.1:5701-5703");
    assertThatThrownBy(() -> Clustering.members("host:99999", "h", 1)).hasMessageContaining("CLUSTER_MEMBERS");
    assertThatThrownBy(() -> Clustering.members("host:port", "h", 1)).hasMessageContaining("CLUSTER_MEMBERS");
    AppConfig badPort = TestApp.baseConfig().with(Map.of("CLUSTER_ENABLED", "true", "CLUSTER_PORT", "70000"));
    assertThatThrownBy(() -> Clustering.hazelcastConfig(badPort)).hasMessageContaining("CLUSTER_PORT");
  }
}
