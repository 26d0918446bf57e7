package dev.systemtables;

import dev.systemtables.config.ConfigLoader;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

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
    bootstrap.close().await(10, TimeUnit.SECONDS);
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
      System.out.println();
    }
    Runnable shutdown = () -> {
      LOG.info("stopping: finishing in-flight requests");
      try {
        app.stop().await(30, TimeUnit.SECONDS);
        LOG.info("stopped");
        System.exit(0);
      } catch (Exception e) {
        LOG.error("unclean stop", e);
        System.exit(1);
      }
    };
    // Handle the signals ourselves so a requested stop drains and exits 0 instead of 143.
    Signal.handle(new Signal("TERM"), s -> new Thread(shutdown, "shutdown").start());
    Signal.handle(new Signal("INT"), s -> new Thread(shutdown, "shutdown").start());
  }
}
