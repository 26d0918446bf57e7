package dev.systemtables.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.MimeMapping;
import io.vertx.ext.web.RoutingContext;

/** Response headers of the bell page and its assets. */
final class BellPage {

  static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
      + "connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  private BellPage() {
  }

  static void headers(RoutingContext rc) {
    if (rc.request().method() == HttpMethod.HEAD) {
      // vertx-web's StaticHandler leaves Content-Type out of its HEAD answers; HEAD must say what GET would.
      rc.addHeadersEndHandler(v -> {
        if (rc.response().getStatusCode() != 200 || rc.response().headers().contains(HttpHeaders.CONTENT_TYPE)) return;
        String path = rc.request().path();
        String type = MimeMapping.mimeTypeForFilename(path.endsWith("/") ? "index.html" : path);
        if (type != null) {
          rc.response().putHeader(HttpHeaders.CONTENT_TYPE, type.startsWith("text") ? type + ";charset=UTF-8" : type);
        }
      });
    }
    rc.response()
        .putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Referrer-Policy", "no-referrer")
        .putHeader("Cache-Control", "no-cache");
    rc.next();
  }
}
