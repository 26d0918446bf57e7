package dev.systemtables.timer;

import dev.systemtables.testing.TestDatabases;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** What {@code job_runs} holds, read over JDBC, and polling until it holds what a test waits for. */
final class JobRuns {

  record Run(String job, Instant scheduledFor, String nodeId, String status, Instant startedAt,
             Instant finishedAt, long deleted, String error) {
  }

  private JobRuns() {
  }

  static List<Run> all(String databaseUrl) {
    try (Connection c = TestDatabases.jdbc(databaseUrl);
         PreparedStatement s = c.prepareStatement("""
             SELECT job_name, scheduled_for, node_id, status, started_at, finished_at, deleted, error
             FROM job_runs ORDER BY job_name, scheduled_for""");
         ResultSet rs = s.executeQuery()) {
      List<Run> runs = new ArrayList<>();
      while (rs.next()) {
        runs.add(new Run(rs.getString(1), rs.getTimestamp(2).toInstant(), rs.getString(3), rs.getString(4),
            rs.getTimestamp(5).toInstant(), rs.getTimestamp(6) == null ? null : rs.getTimestamp(6).toInstant(),
            rs.getLong(7), rs.getString(8)));
      }
      return runs;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  static List<Run> of(String databaseUrl, String job) {
    return all(databaseUrl).stream().filter(r -> r.job().equals(job)).toList();
  }

  /** Every run has finished (none RUNNING) and there are at least {@code atLeast} of them. */
  static List<Run> finished(String databaseUrl, int atLeast) {
    return eventually(() -> all(databaseUrl),
        runs -> runs.size() >= atLeast && runs.stream().noneMatch(r -> r.status().equals("RUNNING")));
  }

  static <T> T eventually(Supplier<T> probe, Predicate<T> done) {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    T last = probe.get();
    while (!done.test(last)) {
      if (System.nanoTime() > deadline) throw new AssertionError("still not as expected after 20 s: " + last);
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      last = probe.get();
    }
    return last;
  }

  static void execute(String databaseUrl, String sql) {
    TestDatabases.execute(databaseUrl, sql);
  }
}
