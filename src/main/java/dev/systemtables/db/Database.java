package dev.systemtables.db;

import dev.systemtables.config.AppConfig;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Where the data lives: the configured PostgreSQL, or an embedded one whose files survive
 * restarts under {@code DATA_DIR}. {@link #open} blocks (process start, JDBC migrations), so it
 * runs before any verticle is deployed or inside {@code executeBlocking}.
 */
public final class Database implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Database.class);

  private final PgConnectOptions connectOptions;
  private final EmbeddedPostgres embedded;
  private final AppConfig config;

  private Database(PgConnectOptions connectOptions, EmbeddedPostgres embedded, AppConfig config) {
    this.connectOptions = connectOptions;
    this.embedded = embedded;
    this.config = config;
  }

  /** Starts the embedded server when no URL is configured, then applies every migration. */
  public static Database open(AppConfig config) {
    EmbeddedPostgres embedded = null;
    PgConnectOptions options;
    if (config.embeddedDatabase()) {
      embedded = startEmbedded(Path.of(config.dataDir(), "postgres"));
      options = new PgConnectOptions().setHost("127.0.0.1").setPort(embedded.getPort())
          .setDatabase("postgres").setUser("postgres");
    } else {
      options = PgConnectOptions.fromUri(config.databaseUrl());
    }
    Database db = new Database(options, embedded, config);
    try {
      db.migrate();
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
    return db;
  }

  /**
   * The pool of one owner (each domain has its own), sized by {@code database.pools.<name>}. Its
   * connections are spread over every event loop, because a domain serves from all of them. A database
   * that cannot be reached fails a connect within the connect timeout; waiting for a free connection of
   * a busy pool is bounded at 5 s.
   */
  public Pool pool(Vertx vertx, String name) {
    return PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(config.poolSize(name))
            .setEventLoopSize(VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE)
            .setConnectionTimeout(5).setConnectionTimeoutUnit(TimeUnit.SECONDS)
            .setMaxWaitQueueSize(10_000).setName(name))
        .with(new NetClientOptions().setConnectTimeout(config.dbConnectTimeoutMillis()))
        // Every statement is a fixed text with $n parameters: parse it once per connection, not per call.
        .connectingTo(new PgConnectOptions(connectOptions).setCachePreparedStatements(true))
        .using(vertx)
        .build();
  }

  /** Connection options, for owners that need a dedicated connection (e.g. LISTEN). */
  public PgConnectOptions connectOptions() {
    return new PgConnectOptions(connectOptions);
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://" + connectOptions.getHost() + ":" + connectOptions.getPort() + "/"
        + connectOptions.getDatabase();
  }

  private void migrate() {
    Flyway flyway = Flyway.configure()
        .dataSource(jdbcUrl(), connectOptions.getUser(), connectOptions.getPassword())
        .locations("classpath:db/migration")
        .load();
    var result = flyway.migrate();
    LOG.info("database schema at version {} ({} migrations applied now)",
        flyway.info().current().getVersion(), result.migrationsExecuted);
  }

  private static EmbeddedPostgres startEmbedded(Path dir) {
    try {
      Files.createDirectories(dir);
      EmbeddedPostgres pg = EmbeddedPostgres.builder()
          .setDataDirectory(dir)
          .setCleanDataDirectory(false)
          // Our own shutdown stops it last, after the verticles have finished with it.
          .setRegisterShutdownHook(false)
          .setPort(freePort())
          .start();
      LOG.info("embedded PostgreSQL on 127.0.0.1:{}, data in {}", pg.getPort(), dir.toAbsolutePath());
      return pg;
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the embedded PostgreSQL in " + dir, e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() {
    if (embedded != null) {
      try {
        embedded.close();
      } catch (IOException e) {
        LOG.warn("embedded PostgreSQL did not stop cleanly", e);
      }
    }
  }
}
