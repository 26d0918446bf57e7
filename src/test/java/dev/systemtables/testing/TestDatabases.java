package dev.systemtables.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.UUID;

/**
 * The PostgreSQL the integration tests talk to, chosen once per JVM: {@code TEST_DATABASE_URL}
 * when set (CI), else a Testcontainers container when a Docker engine answers, else an embedded
 * PostgreSQL. Each caller of {@link #freshDatabase()} gets a database of its own.
 */
public final class TestDatabases {

  private static String baseUrl;
  private static String source;

  private TestDatabases() {
  }

  /** {@code postgresql://user:pass@host:port/} of the server, without a database name. */
  public static synchronized String server() {
    if (baseUrl != null) return baseUrl;
    String env = System.getenv("TEST_DATABASE_URL");
    if (env != null && !env.isBlank()) {
      URI u = URI.create(env.trim());
      baseUrl = u.getScheme() + "://" + (u.getRawUserInfo() == null ? "" : u.getRawUserInfo() + "@")
          + u.getHost() + ":" + (u.getPort() < 0 ? 5432 : u.getPort()) + "/";
      source = "TEST_DATABASE_URL";
    } else if (dockerAvailable()) {
      PostgreSQLContainer<?> pg = new PostgreSQLContainer<>("postgres:16-alpine");
      pg.start();
      baseUrl = "postgresql://" + pg.getUsername() + ":" + pg.getPassword() + "@" + pg.getHost() + ":"
          + pg.getMappedPort(5432) + "/";
      source = "Testcontainers";
    } else {
      try {
        EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
          try {
            pg.close();
          } catch (Exception ignored) {
            // the JVM is going away
          }
        }));
        baseUrl = "postgresql://postgres@127.0.0.1:" + pg.getPort() + "/";
        source = "embedded PostgreSQL";
      } catch (Exception e) {
        throw new IllegalStateException("no PostgreSQL for tests", e);
      }
    }
    System.out.println("[tests] PostgreSQL from " + source + ": " + baseUrl.replaceAll(":[^:@/]*@", ":***@"));
    return baseUrl;
  }

  /** Creates an empty database and returns its {@code postgresql://} URL. */
  public static String freshDatabase() {
    String name = "st_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    execute(adminUrl("postgres"), "CREATE DATABASE " + name);
    return server() + name;
  }

  /** Runs one statement as the server's user against a database URL (postgresql:// form). */
  public static void execute(String url, String sql) {
    try (Connection c = jdbc(url); Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (Exception e) {
      throw new IllegalStateException("failed: " + sql, e);
    }
  }

  /** A JDBC connection for test set-up and inspection (never used by the service itself). */
  public static Connection jdbc(String url) throws java.sql.SQLException {
    URI u = URI.create(url);
    String user = "postgres";
    String password = null;
    if (u.getRawUserInfo() != null) {
      String[] parts = u.getRawUserInfo().split(":", 2);
      user = parts[0];
      password = parts.length > 1 ? parts[1] : null;
    }
    String jdbc = "jdbc:postgresql://" + u.getHost() + ":" + (u.getPort() < 0 ? 5432 : u.getPort()) + u.getPath();
    return DriverManager.getConnection(jdbc, user, password);
  }

  private static String adminUrl(String db) {
    return server() + db;
  }

  private static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (Throwable t) {
      return false;
    }
  }
}
