package dev.systemtables.http;

import dev.systemtables.openapi.ApiContract;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The contract and its documentation: {@code /openapi.yaml} (the file as written), {@code /openapi.json}
 * (the same document converted at start-up) and {@code /docs}, Swagger UI served from its WebJar under the
 * bell page's Content-Security-Policy, so the page loads nothing from anywhere but this node.
 */
final class ApiDocs {

  private static final String WEBJAR = "META-INF/resources/webjars/swagger-ui/";

  private ApiDocs() {
  }

  static void mount(Router router) {
    // The contract is parsed before the server listens (ContractValidation.ready()), off the event loop.
    router.get("/openapi.yaml").handler(rc -> rc.response()
        .putHeader("Content-Type", "application/yaml; charset=utf-8").end(ApiContract.get().yaml()));
    router.get("/openapi.json").handler(rc -> rc.response()
        .putHeader("Content-Type", "application/json").end(ApiContract.get().json()));

    // Swagger UI's index.html loads its files by relative URLs, so the page must live at /docs/.
    // (Vert.x matches "/docs" for "/docs/" too: only the bare path is redirected.)
    router.get("/docs").handler(rc -> {
      if (rc.request().path().equals("/docs")) rc.redirect("/docs/");
      else rc.next();
    });
    // Ours instead of the WebJar's initializer: registered before the static handler, it wins.
    Buffer initializer = Buffer.buffer(resource("docs/swagger-initializer.js"));
    router.get("/docs/swagger-initializer.js").handler(BellPage::headers).handler(rc -> rc.response()
        .putHeader("Content-Type", "text/javascript; charset=utf-8").end(initializer));
    router.get("/docs/*").handler(BellPage::headers)
        .handler(StaticHandler.create(WEBJAR + swaggerUiVersion()).setIndexPage("index.html"));
  }

  private static byte[] resource(String name) {
    try (InputStream in = ApiDocs.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) throw new IllegalStateException(name + " is missing from the class path");
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The WebJar's version, from the Maven metadata inside it: upgrading the dependency needs no code change. */
  private static String swaggerUiVersion() {
    try (InputStream in = ApiDocs.class.getClassLoader()
        .getResourceAsStream("META-INF/maven/org.webjars/swagger-ui/pom.properties")) {
      if (in == null) throw new IllegalStateException("the org.webjars:swagger-ui WebJar is missing");
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
