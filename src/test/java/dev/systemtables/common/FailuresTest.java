package dev.systemtables.common;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.systemtables.testing.TestDatabases;
import io.vertx.core.Vertx;
import io.vertx.core.VertxException;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

@DisplayName("Failure classification: only PostgreSQL being unreachable is a 503; anything else unexpected is a 500 with a correlation id")
class FailuresTest {

  static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  static PgConnectOptions database() {
    return PgConnectOptions.fromUri(TestDatabases.freshDatabase());
  }

  @Test
  @DisplayName("A refused connection to PostgreSQL (as the pool reports it) is 503 UNAVAILABLE")
  void refusedConnection() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    Pool pool = PgBuilder.pool().connectingTo(database().setPort(closedPort)).using(vertx).build();
    try {
      Throwable t = catchThrowable(() -> pool.query("SELECT 1").execute().await(5, TimeUnit.SECONDS));
      assertThat(Failures.toApi(t).code()).as(t.toString()).isEqualTo(ErrorCode.UNAVAILABLE);
    } finally {
      pool.close().await();
    }
  }

  @Test
  @DisplayName("A pool wait that timed out (every connection busy) is 503 UNAVAILABLE")
  void poolWaitTimedOut() throws Exception {
    Pool pool = PgBuilder.pool().connectingTo(database())
        .with(new PoolOptions().setMaxSize(1).setConnectionTimeout(1000).setConnectionTimeoutUnit(TimeUnit.MILLISECONDS))
        .using(vertx).build();
    SqlConnection held = pool.getConnection().await(5, TimeUnit.SECONDS);
    try {
      Throwable t = catchThrowable(() -> pool.query("SELECT 1").execute().await(5, TimeUnit.SECONDS));
      assertThat(t).isNotNull();
      assertThat(Failures.toApi(t).code()).as(t.toString()).isEqualTo(ErrorCode.UNAVAILABLE);
    } finally {
      held.close().await();
      pool.close().await();
    }
  }

  @Test
  @DisplayName("A lost connection and PostgreSQL's own 'cannot serve' states (08xxx, 57P0x) are 503")
  void lostConnection() {
    assertThat(Failures.toApi(ClosedConnectionException.INSTANCE).code()).isEqualTo(ErrorCode.UNAVAILABLE);
    assertThat(Failures.toApi(new PgException("terminating connection due to administrator command", "FATAL",
        "57P01", null)).code()).isEqualTo(ErrorCode.UNAVAILABLE);
    assertThat(Failures.toApi(new PgException("connection failure", "FATAL", "08006", null)).code())
        .isEqualTo(ErrorCode.UNAVAILABLE);
    assertThat(Failures.toApi(new CompletionException(ClosedConnectionException.INSTANCE)).code())
        .as("found in the cause chain").isEqualTo(ErrorCode.UNAVAILABLE);
  }

  @Test
  @DisplayName("Other I/O errors, anything mentioning 'timeout', and other SQL errors are 500, not 503")
  void otherFailuresAreInternal() {
    for (Throwable t : new Throwable[] {
        new IOException("No space left on device"),
        new IllegalStateException("template rendering timeout exceeded"),
        new VertxException("Connection timed out while reading the config", true),
        new RuntimeException("wrapped", new IOException("broken pipe to the log shipper")),
        new TimeoutException("a redis call took too long"),
        new PgException("duplicate key value violates unique constraint", "ERROR", "23505", null),
        new PgException("invalid byte sequence for encoding", "ERROR", "22021", null)}) {
      assertThat(Failures.toApi(t).code()).as(t.toString()).isEqualTo(ErrorCode.INTERNAL);
    }
  }

  @Test
  @DisplayName("An unexpected failure is logged with a correlation id, and the problem carries the same id")
  void correlationId() {
    Logger logger = (Logger) LoggerFactory.getLogger(Failures.class);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    try {
      ApiException api = Failures.toApi(new IllegalStateException("boom"));
      String id = api.extra().getString("correlationId");
      assertThat(id).isNotBlank();
      assertThat(dev.systemtables.http.Problems.body(api).getString("correlationId")).as("the 500 body").isEqualTo(id);
      assertThat(dev.systemtables.http.Problems.body(api).getInteger("status")).isEqualTo(500);
      assertThat(appender.list).anySatisfy(e -> {
        assertThat(e.getFormattedMessage()).contains(id);
        assertThat(e.getThrowableProxy().getMessage()).isEqualTo("boom");
      });
      String other = Failures.toApi(new IllegalStateException("boom")).extra().getString("correlationId");
      assertThat(other).as("one id per failure").isNotEqualTo(id);
    } finally {
      logger.detachAppender(appender);
    }
  }
}
