package dev.systemtables.notifications;

import dev.systemtables.testing.TestApp;
import dev.systemtables.testing.TestDatabases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The store's own SQL text, planned by PostgreSQL on a table big enough that a sequential scan
 * would be the planner's choice if the indexes did not serve the queries.
 */
@DisplayName("The list and count queries are served by indexes")
class NotificationQueryPlanTest {

  static TestApp app;
  static Connection db;

  @BeforeAll
  static void seed() throws Exception {
    app = TestApp.start();
    db = TestDatabases.jdbc(app.databaseUrl());
    try (Statement s = db.createStatement()) {
      // 2,000 users x 60 notifications; a third read, long ago for some.
      s.execute("""
          INSERT INTO notifications (id, user_id, type, title, message, priority, read, read_at, created_at)
          SELECT notification_id(), 'user-' || (i % 2000), 'SYSTEM', 't' || i, 'm', 'MEDIUM',
                 i % 3 = 0, CASE WHEN i % 3 = 0 THEN now() - (i % 200) * interval '1 day' END,
                 now() - i * interval '1 second'
          FROM generate_series(1, 120000) AS i""");
      s.execute("ANALYZE notifications");
    }
  }

  @AfterAll
  static void stop() throws Exception {
    db.close();
    app.close();
  }

  static String plan(String name, String types, String sql, String args) throws Exception {
    try (Statement s = db.createStatement()) {
      s.execute("PREPARE " + name + " (" + types + ") AS " + sql);
      StringBuilder out = new StringBuilder();
      try (ResultSet rs = s.executeQuery("EXPLAIN EXECUTE " + name + " (" + args + ")")) {
        while (rs.next()) out.append(rs.getString(1)).append('\n');
      }
      s.execute("DEALLOCATE " + name);
      System.out.println("-- " + name + "\n" + out);
      return out.toString();
    }
  }

  @Test
  @DisplayName("An inbox page reads the (user_id, created_at, id) index in order, with no sort")
  void listUsesTheInboxIndex() throws Exception {
    String p = plan("list", "text, boolean, text, text, int, int", NotificationStore.PAGE,
        "'user-42', NULL, NULL, NULL, 20, 0");
    assertThat(p).contains("notifications_user_created_idx").doesNotContain("Seq Scan").doesNotContain("Sort");
    String filtered = plan("list_filtered", "text, boolean, text, text, int, int", NotificationStore.PAGE_COUNTED,
        "'user-42', false, 'SYSTEM', 'MEDIUM', 20, 20");
    // Unread-only pages may go through the partial unread index instead: either is an index on the user.
    assertThat(filtered).containsPattern("notifications_user_(created|unread)_idx").doesNotContain("Seq Scan");
  }

  @Test
  @DisplayName("A catch-up (after=) reads the same index from the anchor on")
  void catchUpUsesTheInboxIndex() throws Exception {
    String p = plan("after", "text, boolean, text, text, text, int", NotificationStore.AFTER,
        "'user-42', NULL, NULL, NULL, 'some-id', 100");
    assertThat(p).contains("notifications_user_created_idx").contains("notifications_pkey")
        .doesNotContain("Seq Scan");
  }

  @Test
  @DisplayName("Counter rebuilds use the partial index on unread rows and the inbox index")
  void unreadCountUsesThePartialIndex() throws Exception {
    assertThat(plan("counts", "text", NotificationStore.COUNTS, "'user-42'"))
        .contains("notifications_user_unread_idx").contains("notifications_user_created_idx")
        .doesNotContain("Seq Scan on notifications");
    assertThat(plan("unreads", "text[]", NotificationStore.UNREAD_COUNTS, "ARRAY['user-1', 'user-2']"))
        .contains("notifications_user_unread_idx").doesNotContain("Seq Scan on notifications");
  }
}
