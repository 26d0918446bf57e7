package dev.systemtables.http;

import io.vertx.ext.web.RoutingContext;

/** Response headers of the bell page and its assets. */
final class BellPage {

  static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
      + "connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  private BellPage() {
  }

  static void headers(RoutingContext rc) {
    rc.response()
        .putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Referrer-Policy", "no-referrer")
        .putHeader("Cache-Control", "no-cache");
    rc.next();
  }
}
