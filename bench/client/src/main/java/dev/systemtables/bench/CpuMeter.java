package dev.systemtables.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU time spent during a measurement by the service's JVM, by the PostgreSQL backends serving the
 * benchmark's database, by the Redis server (shared: other users' commands count too), and by this client, read from {@code /proc/<pid>/stat} (Linux). On a shared
 * machine throughput moves with other people's load; CPU time per request moves much less, and it
 * says which process bounds a scenario.
 */
final class CpuMeter {

  private final long serverPid;
  private final long redisPid;
  private final String database;
  private final String host;
  private final double ticksPerSecond;

  CpuMeter(long serverPid, long redisPid, String database, String host, int clockTicks) {
    this.serverPid = serverPid;
    this.redisPid = redisPid;
    this.database = database;
    this.host = host;
    this.ticksPerSecond = clockTicks;
  }

  /** A start mark: this instant and the CPU ticks of every process measured so far. */
  record Mark(long nanos, long server, long client, long redis, Map<Long, Long> backends) {
  }

  /** CPU seconds used between two marks, per process group, and the wall-clock seconds. */
  record Usage(double wall, double server, double postgres, double redis, double client) {
    static final Usage NONE = new Usage(0, 0, 0, 0, 0);

    Usage plus(Usage o) {
      return new Usage(wall + o.wall, server + o.server, postgres + o.postgres, redis + o.redis, client + o.client);
    }
  }

  Mark start() {
    Map<Long, Long> backends = new HashMap<>();
    for (long pid : backendPids()) backends.put(pid, ticks(pid));
    return new Mark(System.nanoTime(), ticks(serverPid), ticks(ProcessHandle.current().pid()), ticks(redisPid), backends);
  }

  Usage since(Mark m) {
    long now = System.nanoTime();
    long server = ticks(serverPid) - m.server();
    long client = ticks(ProcessHandle.current().pid()) - m.client();
    long redis = ticks(redisPid) - m.redis();
    long pg = 0;
    for (Map.Entry<Long, Long> e : m.backends().entrySet()) {
      long t = ticks(e.getKey());
      if (t >= e.getValue()) pg += t - e.getValue();
    }
    return new Usage((now - m.nanos()) / 1e9, server / ticksPerSecond, pg / ticksPerSecond,
        redis / ticksPerSecond, client / ticksPerSecond);
  }

  /** utime + stime of a process, 0 when unknown (no /proc, process gone). */
  private static long ticks(long pid) {
    if (pid <= 0) return 0;
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"), StandardCharsets.US_ASCII);
      // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /** The backends connected to the benchmark's database (the service's pools), via psql. */
  private List<Long> backendPids() {
    List<Long> pids = new ArrayList<>();
    if (database == null || database.isBlank()) return pids;
    try {
      Process p = new ProcessBuilder("psql", "-X", "-h", host, "-U", "postgres", "-d", database, "-Atc",
          "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
          .redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor();
      for (String line : out.split("\n")) {
        if (line.matches("\\d+")) pids.add(Long.parseLong(line));
      }
    } catch (IOException e) {
      // no psql: PostgreSQL CPU is simply not reported
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return pids;
  }
}
