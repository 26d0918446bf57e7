package dev.systemtables;

import dev.systemtables.config.ConfigLoader;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/** Starts one node from {@code conf/config.yaml} and the environment; SIGTERM stops it gracefully with exit 0. */
public final class Main {

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {
  }

  public static void main(String[] args) throws Exception {
    Vertx bootstrap = Vertx.vertx();
    var config = ConfigLoader.load(bootstrap, System.getProperty("config", "conf/config.yaml"))
        .await(30, TimeUnit.SECONDS);
    // Nobody waits on this close: a listener would be dispatched to an event loop that is going away.
    bootstrap.close();
    Application app;
    try {
      app = Application.start(config).await(5, TimeUnit.MINUTES);
    } catch (Exception e) {
      LOG.error("start-up failed", e);
      System.exit(1);
      return;
    }
    if (app.devToken() != null) {
      System.out.println();
      System.out.println("=== system-tables is running in DEV MODE (no JWT_SECRET / JWT_PUBLIC_KEY set) ===");
      System.out.println("ADMIN token, valid " + config.devTokenHours() + " h:");
      System.out.println(app.devToken());
      System.out.println("Try: curl -H \"Authorization: Bearer <token>\" http://localhost:" + app.httpPort() + "/api/v1/me");
      System.out.println("Admin console (signs in with it): http://localhost:" + app.httpPort() + "/admin/#token="
          + app.devToken());
      System.out.println();
    }
    // SIGTERM/SIGINT run the shutdown hooks: leave the load balancer's rotation (readiness 503 while still
    // serving, shutdown.drainSeconds), then drain in-flight requests and close here, then report a requested stop as success
    // (exit 0) instead of the JVM's 143; halt is safe because every resource was closed just before.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      int status = 0;
      try {
        app.drain();
        LOG.info("stopping: finishing in-flight requests");
        app.shutdown();
        LOG.info("stopped");
      } catch (Throwable e) {
        // Plain stderr: the logging system may already be stopping.
        System.err.println("unclean stop: " + e);
        e.printStackTrace();
        status = 1;
      }
      Runtime.getRuntime().halt(status);
    }, "shutdown"));
  }
}
