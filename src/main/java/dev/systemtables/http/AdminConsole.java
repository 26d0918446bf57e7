package dev.systemtables.http;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The admin console at {@code /admin}: static files from {@code webroot/admin} inside the jar (plain ES
 * modules, no build step, no third-party code), under the bell page's headers and Content-Security-Policy.
 * It holds no logic of its own on the server: the page calls the public {@code /api/v1} with the admin's
 * token and listens on the event-bus bridge, like any other client.
 */
final class AdminConsole {

  private AdminConsole() {
  }

  static void mount(Router router) {
    // A prefix route serves paths relative to it: /admin and /admin/ are index.html, /admin/assets/x is
    // webroot/admin/assets/x. The page names its assets by absolute paths, so both spellings work.
    router.get("/admin/*").handler(BellPage::headers)
        .handler(StaticHandler.create("webroot/admin").setIndexPage("index.html"));
  }
}
