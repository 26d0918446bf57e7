package dev.systemtables.bench;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Shape of one benchmark run. {@code --quick} shrinks every size and time for a smoke run; each value
 * can also be given on its own.
 *
 * @param run           prefix that makes this run's user ids, admin subs and Redis keys unique
 * @param users         distinct callers (tokens) of the read scenarios
 * @param inboxUsers    users seeded with {@code perInbox} notifications each
 * @param roleUsers     CREATOR users in the directory (the role broadcast's audience)
 * @param concurrency   in-flight requests of every closed-loop scenario
 * @param warmupSeconds fixed warm-up of every closed-loop scenario (not recorded)
 * @param seconds       fixed measurement of every closed-loop scenario, split into {@code rounds}
 * @param rounds        closed-loop scenarios of a group are measured in interleaved rounds, so that a
 *                      burst of someone else's load on a shared machine hits all of them alike
 * @param serverPid     the service's process, for its CPU time (0: not measured)
 * @param database      the benchmark database, for its PostgreSQL backends' CPU time
 */
record Settings(String host, int port, String secret, String run, boolean quick,
                int users, int inboxUsers, int perInbox, int roleUsers, int flags,
                int concurrency, int warmupSeconds, int seconds, int rounds, int loops,
                int broadcastRuns, int pushClients, int pushRate, int pushWarmupSeconds, int pushSeconds,
                Set<String> only, long serverPid, long redisPid, String database, int clockTicks) {

  static Settings from(Args a) {
    boolean quick = a.flag("quick");
    String only = a.string("only", "");
    return new Settings(
        a.string("host", "127.0.0.1"), a.integer("port", 8080), a.string("secret", ""), a.required("run"), quick,
        a.integer("users", quick ? 2_000 : 10_000),
        a.integer("inbox-users", quick ? 100 : 1_000),
        a.integer("per-inbox", 1_000),
        a.integer("role-users", quick ? 10_000 : 100_000),
        a.integer("flags", 200),
        a.integer("concurrency", 32),
        a.integer("warmup", quick ? 2 : 5),
        a.integer("seconds", quick ? 4 : 20),
        a.integer("rounds", quick ? 2 : 4),
        a.integer("loops", 1),
        a.integer("broadcast-runs", quick ? 1 : 3),
        a.integer("push-clients", quick ? 200 : 1_000),
        a.integer("push-rate", 200),
        a.integer("push-warmup", quick ? 3 : 15),
        a.integer("push-seconds", quick ? 5 : 30),
        only.isBlank() ? Set.of() : Arrays.stream(only.split(",")).map(String::trim).collect(Collectors.toSet()),
        Long.parseLong(a.string("server-pid", "0")), Long.parseLong(a.string("redis-pid", "0")),
        a.string("db", ""), a.integer("clock-ticks", 100));
  }

  boolean wants(String scenario) {
    return only.isEmpty() || only.contains(scenario);
  }

  String userId(int n) {
    return "user-" + run + "-" + n;
  }

  String adminId(int n) {
    return "admin-" + run + "-" + n;
  }
}
