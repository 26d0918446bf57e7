package dev.systemtables.http;

import dev.systemtables.testing.RawHttp;
import dev.systemtables.testing.Resp;
import dev.systemtables.testing.TestApp;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("HTTP edges: malformed requests get a 400-class problem, HEAD and OPTIONS work on every route")
class HttpEdgesTest {

  static TestApp app;
  static String admin;

  @BeforeAll
  static void start() {
    app = TestApp.start();
    admin = app.token("admin-edge", "ADMIN");
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  static RawHttp.Answer raw(String request) {
    return RawHttp.send(app.port(), request);
  }

  static void assertProblem(RawHttp.Answer a, int status, String detailPart) {
    assertThat(a.status()).as(a.toString()).isEqualTo(status);
    assertThat(a.header("Content-Type")).as(a.toString()).isEqualTo("application/problem+json");
    JsonObject body = a.json();
    assertThat(body.getInteger("status")).isEqualTo(status);
    assertThat(body.getString("code")).isNotBlank();
    assertThat(body.getString("detail")).containsIgnoringCase(detailPart);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
      "GET /health/live HTTP/1.1\r\n\r\n",
      "GET /health/live HTTP/1.1\r\nHost: a b\r\n\r\n",
      "GET /health/live HTTP/1.1\r\nHost: x:99999999\r\n\r\n",
      "GET /health/live HTTP/1.1\r\nHost: [::1\r\n\r\n",
      "GET /health/live HTTP/1.1\r\nHost: a\r\n b\r\n\r\n",
      "GET /health/live HTTP/1.1\r\nHost: \r\n\r\n",
      "GET /health/live HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
      "GET /api/v1/me HTTP/1.1\r\nAuthorization: Bearer x\r\n\r\n",
      "POST /api/v1/flags/evaluate HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}"})
  @DisplayName("A missing, empty, doubled or malformed Host (an obs-folded line included) is a 400 problem naming Host")
  void badHost(String request) {
    assertProblem(raw(request), 400, "Host");
  }

  @Test
  @DisplayName("An HTTP/1.0 request without Host is served")
  void http10WithoutHost() {
    RawHttp.Answer a = raw("GET /health/live HTTP/1.0\r\n\r\n");
    assertThat(a.status()).as(a.toString()).isEqualTo(200);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"/api/v1/me?q=%zz", "/api/v1/me?q=%", "/api/v1/me?q=%4", "/api/v1/me?%zz=1",
      "/api/v1/notifications?type=%C3", "/health/live?x=%ff", "/api/v1/flags/%zz/enabled", "/api/v1/flags/a%/audit"})
  @DisplayName("A bad %-escape in the query string or the path is a 400 problem naming it, with or without a token")
  void badPercentEscapes(String target) {
    String part = target.contains("?") ? "query" : "path";
    assertProblem(raw("GET " + target + " HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer " + admin + "\r\n\r\n"), 400, part);
    assertProblem(raw("GET " + target + " HTTP/1.1\r\nHost: a\r\n\r\n"), 400, part);
  }

  @Test
  @DisplayName("Well-formed escapes still work: %20 and UTF-8 in a query parameter")
  void goodEscapes() {
    Resp r = app.get("/api/v1/flags/caf%C3%A9-x/enabled?x=a%20b", admin);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"a=%zz", "a=%", "%zz", "{\"flags\":[\"100%\"]}"})
  @DisplayName("A form-urlencoded body with a bad %-escape is a 400 naming the body, before authentication too")
  void badFormBodies(String body) {
    String request = "POST /api/v1/flags/evaluate HTTP/1.1\r\nHost: a\r\n"
        + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + body.length() + "\r\n";
    assertProblem(raw(request + "Authorization: Bearer " + admin + "\r\n\r\n" + body), 400, "body");
    assertProblem(raw(request + "\r\n" + body), 400, "body");
  }

  @Test
  @DisplayName("JSON sent the way curl -d sends it (form content type, no %) is still read")
  void jsonWithFormContentType() {
    Resp r = app.send("POST", "/api/v1/flags/evaluate", admin, "{\"flags\":[\"x\"]}",
        Map.of("Content-Type", "application/x-www-form-urlencoded"));
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
  }

  /** Every GET route of the service, as an admin calls it. */
  static final List<String> GET_ROUTES = List.of("/health/live", "/health/ready", "/metrics", "/",
      "/assets/bell.css", "/assets/bell.js", "/eventbus/info", "/api/v1/me", "/api/v1/flags", "/api/v1/flags/enabled",
      "/api/v1/flags/some-flag/enabled", "/api/v1/flags/no-such-id/audit", "/api/v1/notifications",
      "/api/v1/notifications/unread-count", "/api/v1/idempotency/some-key", "/api/v1/jobs");

  @Test
  @DisplayName("HEAD on every GET route answers the GET's status and content type, without a body")
  void headOnEveryGetRoute() throws Exception {
    for (String path : GET_ROUTES) {
      String auth = "Authorization: Bearer " + admin + "\r\n";
      RawHttp.Answer get = raw("GET " + path + " HTTP/1.1\r\nHost: a\r\n" + auth + "\r\n");
      try (Socket s = new Socket("127.0.0.1", app.port())) {
        s.setSoTimeout(3_000);
        s.getOutputStream().write(("HEAD " + path + " HTTP/1.1\r\nHost: a\r\n" + auth + "\r\n")
            .getBytes(StandardCharsets.ISO_8859_1));
        InputStream in = s.getInputStream();
        RawHttp.Answer head = RawHttp.read(in, true);
        assertThat(head.status()).as("HEAD " + path + " vs GET " + get).isEqualTo(get.status());
        assertThat(head.header("Content-Type")).as("HEAD " + path).isEqualTo(get.header("Content-Type"));
        s.setSoTimeout(300);
        int extra;
        try {
          extra = in.read();
        } catch (java.net.SocketTimeoutException e) {
          extra = -1;
        }
        assertThat(extra).as("no body after the HEAD answer of " + path).isEqualTo(-1);
      }
    }
  }

  @Test
  @DisplayName("OPTIONS answers 204 with Allow listing the path's methods; an unknown path is a 404 problem")
  void options() {
    assertThat(raw("OPTIONS /api/v1/me HTTP/1.1\r\nHost: a\r\n\r\n").header("Allow")).isEqualTo("GET, HEAD, OPTIONS");
    assertThat(raw("OPTIONS /api/v1/flags HTTP/1.1\r\nHost: a\r\n\r\n").header("Allow"))
        .isEqualTo("GET, HEAD, POST, OPTIONS");
    RawHttp.Answer flag = raw("OPTIONS /api/v1/flags/abc HTTP/1.1\r\nHost: a\r\n\r\n");
    assertThat(flag.status()).isEqualTo(204);
    assertThat(flag.header("Allow")).isEqualTo("PATCH, DELETE, OPTIONS");
    assertThat(raw("OPTIONS /api/v1/idempotency/k HTTP/1.1\r\nHost: a\r\n\r\n").header("Allow"))
        .isEqualTo("GET, HEAD, DELETE, OPTIONS");
    assertThat(raw("OPTIONS /assets/bell.css HTTP/1.1\r\nHost: a\r\n\r\n").header("Allow")).isEqualTo("GET, HEAD, OPTIONS");
    assertThat(raw("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n").header("Allow")).contains("GET", "POST", "OPTIONS");
    assertProblem(raw("OPTIONS /nothing/here HTTP/1.1\r\nHost: a\r\n\r\n"), 404, "nothing");
  }

  @Test
  @DisplayName("A 405 carries Allow too, and a made-up method is a 405 problem")
  void methodNotAllowed() {
    RawHttp.Answer patch = raw("PATCH /api/v1/me HTTP/1.1\r\nHost: a\r\n\r\n");
    assertProblem(patch, 405, "PATCH");
    assertThat(patch.header("Allow")).isEqualTo("GET, HEAD, OPTIONS");
    assertProblem(raw("FROB /health/live HTTP/1.1\r\nHost: a\r\n\r\n"), 405, "FROB");
  }

  @Test
  @DisplayName("Errors the HTTP codec raises carry a problem body: 414, 431, 400, 417, and 400 for an HTTP/2.0 request line")
  void codecErrors() {
    assertProblem(raw("GET /" + "a".repeat(5000) + " HTTP/1.1\r\nHost: a\r\n\r\n"), 414, "request line");
    assertProblem(raw("GET /health/live HTTP/1.1\r\nHost: a\r\nX-Big: " + "b".repeat(9000) + "\r\n\r\n"), 431, "headers");
    assertProblem(raw("GARBAGE\r\n\r\n"), 400, "HTTP");
    assertProblem(raw("GET /health/live HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n"), 400, "HTTP");
    assertProblem(raw("POST /api/v1/flags/evaluate HTTP/1.1\r\nHost: a\r\nExpect: teapot\r\nContent-Length: 2\r\n\r\n{}"),
        417, "Expect");
    assertProblem(raw("GET /health/live HTTP/2.0\r\nHost: a\r\n\r\n"), 400, "HTTP/2.0");
    assertProblem(raw("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), 400, "HTTP/2.0");
    assertProblem(raw("GET /health/live HTTX/1.1\r\nHost: a\r\n\r\n"), 400, "HTTX/1.1");
    assertProblem(raw("POST /api/v1/flags/evaluate HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"),
        400, "chunked");
  }

  @Test
  @DisplayName("A later HTTP/1.x minor version is served as HTTP/1.1")
  void laterMinorVersion() {
    RawHttp.Answer a = raw("GET /health/live HTTP/1.2\r\nHost: a\r\n\r\n");
    assertThat(a.status()).as(a.toString()).isEqualTo(200);
  }

  @Test
  @DisplayName("A request target with raw non-ASCII or control bytes is a 400 problem")
  void rawNonAscii() {
    byte[] request = "GET /api/v1/flags/caf\u00e9/enabled HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
    RawHttp.Answer a = RawHttp.send(app.port(), request, 5_000);
    assertProblem(a, 400, "");
  }
}
