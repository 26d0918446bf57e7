package dev.systemtables.idempotency;

import dev.systemtables.common.ApiException;
import dev.systemtables.common.ErrorCode;
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
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

@DisplayName("Idempotency purge: expired records go in batches, live ones stay")
class IdempotencyPurgeTest {

  static TestApp app;

  @BeforeAll
  static void start() {
    app = TestApp.start();
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  static void execute(String sql) {
    TestDatabases.execute(app.databaseUrl(), sql);
  }

  static List<String> keys() throws Exception {
    List<String> keys = new ArrayList<>();
    try (Connection c = TestDatabases.jdbc(app.databaseUrl()); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT key FROM idempotency_keys ORDER BY key")) {
      while (rs.next()) keys.add(rs.getString(1));
    }
    return keys;
  }

  static JsonObject purge(int batchSize) {
    return new JsonObject().put("deleted", app.app().node().domains().idempotency().purgeExpired(batchSize).await());
  }

  @Test
  @DisplayName("2,500 expired records are deleted across three batches of 1,000; the live ones, processing or done, stay")
  void purgesExpiredOnly() throws Exception {
    execute("""
        INSERT INTO idempotency_keys (id, key, scope, entity_type, request_hash, processed, processing_at, expires_at)
        SELECT 'old-' || g, 'old-' || lpad(g::text, 5, '0'), 'scope-' || (g % 7), 'payout', 'h', g % 2 = 0, now() - interval '2 days',
               now() - make_interval(secs => g)
        FROM generate_series(1, 2500) g;
        INSERT INTO idempotency_keys (id, key, scope, entity_type, request_hash, processed, processing_at, expires_at)
        SELECT 'live-' || g, 'live-' || g, 'scope-1', 'payout', 'h', g % 2 = 0, now(), now() + interval '1 minute'
        FROM generate_series(1, 10) g;
        """);

    assertThat(purge(1000)).isEqualTo(new JsonObject().put("deleted", 2500L));
    assertThat(keys()).hasSize(10).allMatch(k -> k.startsWith("live-"));
    assertThat(purge(1000)).isEqualTo(new JsonObject().put("deleted", 0L));
  }

  @Test
  @DisplayName("A backlog that is an exact multiple of the batch is fully deleted too")
  void exactMultipleOfTheBatch() throws Exception {
    execute("""
        INSERT INTO idempotency_keys (id, key, scope, entity_type, request_hash, processed, expires_at)
        SELECT 'm-' || g, 'm-' || g, 'scope-m', 'payout', 'h', true, now() - interval '1 hour'
        FROM generate_series(1, 300) g
        """);
    assertThat(purge(100).getLong("deleted")).isEqualTo(300L);
    assertThat(keys()).noneMatch(k -> k.startsWith("m-"));
  }

  @Test
  @DisplayName("A batch size that is not a positive integer is refused, naming batchSize")
  void badBatchSize() {
    ApiException e = catchThrowableOfType(ApiException.class, () -> purge(0));
    assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
    assertThat(e.detail()).startsWith("batchSize");
  }
}
