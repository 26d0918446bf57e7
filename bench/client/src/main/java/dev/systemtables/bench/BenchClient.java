package dev.systemtables.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

import java.nio.file.Path;

/**
 * The load client of {@code bench/run}, a process of its own beside the service.
 * <ul>
 *   <li>{@code probe}: which optional domains the node serves (JSON on stdout);</li>
 *   <li>{@code sql users|notifications}: the seed statements, for psql;</li>
 *   <li>{@code suite --out results.jsonl}: runs the scenarios, one JSON row each;</li>
 *   <li>{@code report --results results.jsonl}: the Markdown table with targets;</li>
 *   <li>{@code sockets --out sockets.json}: many registered bridge sockets on one node ({@code bench/sockets}).</li>
 * </ul>
 */
public final class BenchClient {

  private BenchClient() {
  }

  public static void main(String[] argv) throws Exception {
    Args args = new Args(argv);
    switch (args.command()) {
      case "report" -> {
        System.out.print(Report.render(Path.of(args.required("results"))));
        return;
      }
      case "sql" -> {
        Settings s = Settings.from(args);
        Population pop = new Population(null, s);
        System.out.print("users".equals(args.required("what")) ? pop.usersSql() : pop.notificationsSql());
        return;
      }
      default -> {
      }
    }
    Settings s = Settings.from(args);
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(s.loops()));
    int status = 0;
    try {
      switch (args.command()) {
        case "probe" -> System.out.println(new Suite(vertx, s, null).probe().encode());
        case "suite" -> new Suite(vertx, s, Path.of(args.required("out"))).run();
        case "sockets" -> new SocketsScenario(vertx, s, Suite.client(vertx, s), new Population(vertx, s), args,
            Path.of(args.required("out"))).run();
        default -> throw new IllegalArgumentException("unknown command " + args.command());
      }
    } catch (Exception e) {
      e.printStackTrace();
      status = 1;
    } finally {
      vertx.close().await();
    }
    System.exit(status);
  }
}
