package dev.systemtables.push;

import dev.systemtables.testing.BridgeClient;
import dev.systemtables.testing.RawHttp;
import dev.systemtables.testing.Resp;
import dev.systemtables.testing.SockJsXhrClient;
import dev.systemtables.testing.TestApp;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The SockJS fallback transports work like the WebSocket, and refuse bad requests with 4xx problems")
class BridgeTransportsTest {

  static TestApp app;
  static String admin;

  @BeforeAll
  static void start() {
    app = TestApp.start();
    admin = app.token("admin-bt", "ADMIN");
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  static String user() {
    String id = "bt-" + UUID.randomUUID();
    assertThat(app.put("/api/v1/users/" + id, admin, "{\"role\":\"CREATOR\"}").status()).isEqualTo(200);
    return id;
  }

  static void create(String userId, String title) {
    Resp r = app.post("/api/v1/notifications", admin, new JsonObject().put("userId", userId).put("type", "SYSTEM")
        .put("title", title).put("message", "m").encode());
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
  }

  /** Waits for the acknowledgement of the user's register, then creates a notification and returns its push. */
  static JsonObject awaitOwnPush(SockJsXhrClient client, String user) throws Exception {
    String address = BrowserAddresses.user(user);
    assertThat(client.next(BridgeClient.registeredOn(address), 10_000))
        .as("the register acknowledged; frames " + client.seen()).isNotNull();
    String title = "t-" + UUID.randomUUID();
    create(user, title);
    JsonObject frame = client.next(f -> BridgeClient.messageOn(address).test(f)
        && f.getJsonObject("body").getJsonObject("notification") != null
        && title.equals(f.getJsonObject("body").getJsonObject("notification").getString("title")), 5_000);
    assertThat(frame).as("the push made after the acknowledgement; frames " + client.seen()).isNotNull();
    return frame;
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"xhr", "xhr_streaming"})
  @DisplayName("A browser on xhr or xhr_streaming registers, receives its own pushes, and is refused for others")
  void fallbackTransportsWork(String transport) throws Exception {
    String me = user();
    String victim = user();
    try (SockJsXhrClient client = SockJsXhrClient.open(app.baseUrl(), "xhr_streaming".equals(transport))) {
      assertThat(client.register(BrowserAddresses.user(victim), app.token(me, "CREATOR"))).isEqualTo(204);
      JsonObject err = client.next(f -> "err".equals(f.getString("type"))
          && BrowserAddresses.user(victim).equals(f.getString("address")), 10_000);
      assertThat(err).as("refused for another user's address; frames " + client.seen()).isNotNull();

      assertThat(client.register(BrowserAddresses.user(me), app.token(me, "CREATOR"))).isEqualTo(204);
      JsonObject push = awaitOwnPush(client, me);
      assertThat(push.getJsonObject("body").getString("event")).isEqualTo("notification.created");

      create(victim, "the victim's secret");
      create(me, "after the secret");
      JsonObject next = client.next(f -> "rec".equals(f.getString("type")), 5_000);
      assertThat(next.getString("address")).isEqualTo(BrowserAddresses.user(me));

      assertThat(client.send(new JsonObject().put("type", "publish").put("address", BrowserAddresses.user(me))
          .put("body", new JsonObject().put("event", "notification.created")))).isEqualTo(204);
      assertThat(client.next(f -> "err".equals(f.getString("type"))
          && BrowserAddresses.user(me).equals(f.getString("address")), 5_000)).as("publish refused").isNotNull();
    }
  }

  static void assertProblem(RawHttp.Answer a, int status, String names) {
    assertThat(a.status()).as(a.toString()).isEqualTo(status);
    assertThat(a.header("Content-Type")).as(a.toString()).isEqualTo("application/problem+json");
    assertThat(a.json().getString("detail")).as(a.toString()).contains(names);
  }

  static RawHttp.Answer raw(String method, String path, String contentType, String body) {
    String request = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + (contentType == null ? "" : "Content-Type: " + contentType + "\r\n")
        + (body == null ? "" : "Content-Length: " + body.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + "\r\n")
        + "\r\n" + (body == null ? "" : body);
    return RawHttp.send(app.port(), request);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"jsonp", "htmlfile"})
  @DisplayName("jsonp and htmlfile without a valid callback answer 400 naming the callback")
  void callbacks(String transport) {
    String path = "/eventbus/123/" + UUID.randomUUID() + "/" + transport;
    assertProblem(raw("GET", path, null, null), 400, "callback");
    assertProblem(raw("GET", path + "?c=", null, null), 400, "callback");
    assertProblem(raw("GET", path + "?c=alert(1)", null, null), 400, "callback");
    assertProblem(raw("GET", path + "?callback=" + "a".repeat(40), null, null), 400, "callback");
  }

  @Test
  @DisplayName("xhr_send and jsonp_send to an unknown session answer 404; bad bodies 400, 413 or 415; never 500")
  void sends() throws Exception {
    String unknown = "/eventbus/123/" + UUID.randomUUID();
    assertProblem(raw("POST", unknown + "/xhr_send", "text/plain", "[\"{}\"]"), 404, "session");
    assertProblem(raw("POST", unknown + "/jsonp_send", "text/plain", "[\"{}\"]"), 404, "session");
    try (SockJsXhrClient client = SockJsXhrClient.open(app.baseUrl(), false)) {
      String path = client.base().substring(app.baseUrl().length());
      assertProblem(raw("POST", path + "/xhr_send", "text/plain", ""), 400, "body");
      assertProblem(raw("POST", path + "/xhr_send", "text/plain", null), 400, "body");
      assertProblem(raw("POST", path + "/xhr_send", "text/plain", "not json"), 400, "body");
      assertProblem(raw("POST", path + "/xhr_send", "text/plain", "[1,2]"), 400, "body");
      assertProblem(raw("POST", path + "/xhr_send", "text/plain", "{\"type\":\"ping\"}"), 400, "body");
      assertProblem(raw("POST", path + "/xhr_send", "text/plain", "[\"" + "x".repeat(70_000) + "\"]"), 413, "body");
      assertProblem(raw("POST", path + "/jsonp_send", "application/json", "[\"{}\"]"), 415, "Content-Type");
      assertProblem(raw("POST", path + "/jsonp_send", "application/x-www-form-urlencoded", "x=1"), 400, "body");
      assertProblem(raw("POST", path + "/jsonp_send", "application/x-www-form-urlencoded", "d=%zz"), 400, "body");
      assertThat(raw("POST", path + "/xhr_send", "text/plain", "[\"{\\\"type\\\":\\\"ping\\\"}\"]").status()).isEqualTo(204);
      assertThat(raw("POST", path + "/jsonp_send", "application/x-www-form-urlencoded",
          "d=%5B%22%7B%5C%22type%5C%22%3A%5C%22ping%5C%22%7D%22%5D").status()).isEqualTo(200);
    }
  }

  @Test
  @DisplayName("WebSocket endpoints asked without an upgrade answer 400, with another method 405 with Allow")
  void webSocketEndpointsWithoutUpgrade() {
    for (String path : new String[] {"/eventbus/websocket", "/eventbus/123/" + UUID.randomUUID() + "/websocket"}) {
      assertProblem(raw("GET", path, null, null), 400, "WebSocket");
      RawHttp.Answer post = raw("POST", path, "text/plain", "x");
      assertProblem(post, 405, "POST");
      assertThat(post.header("Allow")).isEqualTo("GET");
    }
  }

  @Test
  @DisplayName("A transport asked with the wrong method answers 405 with Allow")
  void wrongMethods() {
    String session = "/eventbus/123/" + UUID.randomUUID();
    RawHttp.Answer xhr = raw("GET", session + "/xhr", null, null);
    assertProblem(xhr, 405, "GET");
    assertThat(xhr.header("Allow")).contains("POST");
    RawHttp.Answer eventsource = raw("DELETE", session + "/eventsource", null, null);
    assertProblem(eventsource, 405, "DELETE");
    assertThat(eventsource.header("Allow")).isEqualTo("GET");
  }
}
