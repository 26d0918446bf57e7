package dev.systemtables.notifications;

import dev.systemtables.common.ApiException;
import dev.systemtables.testing.TestApp;
import dev.systemtables.testing.TestDatabases;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

@DisplayName("PURGE_READ deletes old read notifications in bounded batches, never unread ones")
class NotificationPurgeTest {

  static TestApp app;

  @BeforeAll
  static void start() {
    app = TestApp.start();
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  static void sql(String statement) throws Exception {
    try (Connection c = TestDatabases.jdbc(app.databaseUrl()); Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }

  static long rows(String where) throws Exception {
    try (Connection c = TestDatabases.jdbc(app.databaseUrl()); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT count(*) FROM notifications WHERE " + where)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  static JsonObject purge(int batchSize, Instant readBefore) {
    return new JsonObject().put("deleted",
        app.app().node().domains().notifications().purgeRead(readBefore, batchSize).await());
  }

  @Test
  @DisplayName("Batch after batch until a short one: every old read row goes, recent and unread rows stay")
  void purgesOldReadRows() throws Exception {
    sql("""
        INSERT INTO notifications (id, user_id, type, title, message, read, read_at, created_at)
        SELECT notification_id(), 'p-' || i, 'SYSTEM', 'old read', 'm', true, now() - interval '100 days', now() - interval '200 days'
        FROM generate_series(1, 23) i;
        INSERT INTO notifications (id, user_id, type, title, message, read, read_at, created_at)
        SELECT notification_id(), 'p-' || i, 'SYSTEM', 'recent read', 'm', true, now() - interval '10 days', now() - interval '200 days'
        FROM generate_series(1, 4) i;
        INSERT INTO notifications (id, user_id, type, title, message, read, created_at)
        SELECT notification_id(), 'p-' || i, 'SYSTEM', 'old unread', 'm', false, now() - interval '300 days'
        FROM generate_series(1, 6) i;
        """);
    Instant cutoff = Instant.now().minus(90, ChronoUnit.DAYS);

    assertThat(purge(5, cutoff)).isEqualTo(new JsonObject().put("deleted", 23));
    assertThat(rows("title = 'old read'")).isZero();
    assertThat(rows("title = 'recent read'")).isEqualTo(4);
    assertThat(rows("title = 'old unread'")).isEqualTo(6);
    assertThat(purge(5, cutoff)).isEqualTo(new JsonObject().put("deleted", 0));

    // An exact multiple of the batch size ends with an empty batch.
    assertThat(purge(2, Instant.now())).isEqualTo(new JsonObject().put("deleted", 4));
    assertThat(rows("title = 'old unread'")).isEqualTo(6);
  }

  @Test
  @DisplayName("A bad batch size is refused")
  void badRequests() {
    ApiException size = catchThrowableOfType(ApiException.class, () -> purge(0, Instant.now()));
    assertThat(size.code().name()).isEqualTo("VALIDATION_FAILED");
    assertThat(size.detail()).contains("batchSize");
  }
}
