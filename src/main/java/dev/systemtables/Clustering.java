package dev.systemtables;

import com.hazelcast.config.ClasspathXmlConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.FileSystemXmlConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import dev.systemtables.config.AppConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.FileNotFoundException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds the node's Vert.x: clustered over Hazelcast when {@code CLUSTER_ENABLED=true}, plain otherwise
 * (then no Hazelcast instance, thread or socket exists in the process).
 *
 * <p>Hazelcast settings come from {@code conf/cluster.xml} (the file beside the process, else the copy in
 * the jar); the network part is then set from {@code CLUSTER_HOST}, {@code CLUSTER_PORT} and
 * {@code CLUSTER_MEMBERS}: the member listens on exactly that host and port and joins the listed seed
 * members over TCP/IP, never by multicast or cloud auto-detection. The event bus listens on the same host
 * so that nodes on one machine and nodes on several machines reach each other the same way.
 */
final class Clustering {

  private static final Logger LOG = LoggerFactory.getLogger(Clustering.class);

  /** Where the Hazelcast settings are read from when {@code cluster.configFile} does not say. */
  static final String DEFAULT_CONFIG_FILE = "conf/cluster.xml";
  private static final String CLASSPATH_CONFIG = "conf/cluster.xml";

  // host:port, host, [v6]:port or [v6]; no port ranges (Hazelcast throws on them).
  private static final Pattern MEMBER = Pattern.compile("(\\[[0-9a-fA-F:.]+]|[^:\\[\\]\\s]+)(?::(\\d{1,5}))?");

  /**
   * Hazelcast tunables the node needs whatever the XML says; an XML that sets one of them wins
   * (an operator may want slower joins or heartbeats).
   */
  private static final Map<String, String> DEFAULT_PROPERTIES = Map.of(
      "hazelcast.wait.seconds.before.join", "0",
      "hazelcast.max.wait.seconds.before.join", "0",
      "hazelcast.logging.type", "slf4j",
      "hazelcast.phone.home.enabled", "false");

  private Clustering() {
  }

  /** The node's Vert.x and, when clustered, the cluster manager it joined with (else null). */
  record Node(Vertx vertx, HazelcastClusterManager cluster) {
  }

  static Future<Node> start(AppConfig config, VertxOptions options, VertxMetricsFactory metrics,
                            MeterRegistry registry) {
    if (!config.clusterEnabled()) {
      return Future.succeededFuture(new Node(Vertx.builder().with(options).withMetrics(metrics).build(), null));
    }
    Config hazelcast;
    try {
      hazelcast = hazelcastConfig(config);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    int eventBusPort = config.section("cluster").getInteger("eventBusPort", 0);
    options.getEventBusOptions()
        .setHost(config.clusterHost()).setClusterPublicHost(config.clusterHost())
        .setPort(eventBusPort);
    HazelcastClusterManager manager = new HazelcastClusterManager(hazelcast);
    LOG.info("joining the cluster as {}:{} (event bus port {}), seed members {}", config.clusterHost(),
        config.clusterPort(), eventBusPort == 0 ? "any" : eventBusPort,
        hazelcast.getNetworkConfig().getJoin().getTcpIpConfig().getMembers());
    return Vertx.builder().with(options).withMetrics(metrics).withClusterManager(manager).buildClustered()
        .map(vertx -> {
          Gauge.builder("cluster.members", manager, m -> m.isActive() ? m.getNodes().size() : 0)
              .description("Vert.x nodes in the cluster as this node sees it (itself included)")
              .register(registry);
          LOG.info("joined the cluster: {} node(s)", manager.getNodes().size());
          return new Node(vertx, manager);
        });
  }

  /**
   * The XML settings with this node's network applied. Fails with a message naming the variable when
   * {@code CLUSTER_MEMBERS} or {@code CLUSTER_PORT} is malformed.
   */
  static Config hazelcastConfig(AppConfig config) {
    if (System.getProperty("hazelcast.logging.type") == null) {
      // Before Hazelcast's first logger: its static loggers read the system property, not the config.
      System.setProperty("hazelcast.logging.type", "slf4j");
    }
    if (config.clusterPort() < 1 || config.clusterPort() > 65535) {
      throw new IllegalArgumentException("CLUSTER_PORT must be a port number 1-65535, got " + config.clusterPort());
    }
    String host = config.clusterHost();
    List<String> members = members(config.clusterMembers(), host, config.clusterPort());
    Config hz = load(config.section("cluster").getString("configFile", DEFAULT_CONFIG_FILE));
    DEFAULT_PROPERTIES.forEach((k, v) -> {
      if (hz.getProperty(k) == null) hz.setProperty(k, v);
    });
    // Vert.x leaves the cluster in our own shutdown; Hazelcast's hook would leave before the node drains.
    hz.setProperty("hazelcast.shutdownhook.enabled", "false");
    // Listen on CLUSTER_HOST only, and tell the others that address: a loopback cluster stays on loopback,
    // and a machine with several interfaces uses the one the operator named.
    hz.setProperty("hazelcast.local.localAddress", host);
    hz.setProperty("hazelcast.socket.bind.any", "false");

    NetworkConfig network = hz.getNetworkConfig();
    network.setPort(config.clusterPort()).setPortAutoIncrement(false);
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(members);
    return hz;
  }

  /**
   * The seed members: each entry of the comma list as written ({@code host:port}, or a bare host, which
   * Hazelcast probes on its default ports), or only this node when the list is empty.
   */
  static List<String> members(String csv, String host, int port) {
    List<String> members = new ArrayList<>();
    if (csv != null) {
      for (String raw : csv.split(",")) {
        String entry = raw.trim();
        if (entry.isEmpty()) continue;
        Matcher m = MEMBER.matcher(entry);
        if (!m.matches()) {
          throw new IllegalArgumentException("CLUSTER_MEMBERS entry '" + entry + "' is not host:port");
        }
        if (m.group(2) != null) {
          int p = Integer.parseInt(m.group(2));
          if (p < 1 || p > 65535) {
            throw new IllegalArgumentException("CLUSTER_MEMBERS entry '" + entry + "' has no valid port (1-65535)");
          }
        }
        members.add(entry);
      }
    }
    if (members.isEmpty()) members.add(host + ":" + port);
    return List.copyOf(members);
  }

  private static Config load(String path) {
    File file = new File(path);
    if (file.isFile()) {
      try {
        LOG.info("cluster settings from {}", file.getAbsolutePath());
        return new FileSystemXmlConfig(file);
      } catch (FileNotFoundException e) {
        throw new IllegalStateException("cannot read " + file.getAbsolutePath(), e);
      }
    }
    LOG.info("cluster settings from {} inside the jar ({} not found)", CLASSPATH_CONFIG, path);
    return new ClasspathXmlConfig(Clustering.class.getClassLoader(), CLASSPATH_CONFIG);
  }
}
