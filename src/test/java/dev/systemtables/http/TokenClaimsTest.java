package dev.systemtables.http;

import dev.systemtables.push.BrowserAddresses;
import dev.systemtables.testing.BridgeClient;
import dev.systemtables.testing.Jwts;
import dev.systemtables.testing.Resp;
import dev.systemtables.testing.TestApp;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Tokens with unusual claims are handled exactly, on REST and in the bridge's REGISTER")
class TokenClaimsTest {

  static TestApp app;
  static String admin;

  @BeforeAll
  static void start() {
    app = TestApp.start();
    admin = app.token("admin-tc", "ADMIN");
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  static long later() {
    return Jwts.now() + 3600;
  }

  /** A signed token over this payload text, exactly as written. */
  static String raw(String payloadJson) {
    return Jwts.hs256Raw(TestApp.SECRET, payloadJson);
  }

  static Stream<Arguments> rejected() {
    long exp = later();
    return Stream.of(
        Arguments.of("exp as a string", raw("{\"sub\":\"u1\",\"role\":\"VIEWER\",\"exp\":\"" + exp + "\"}")),
        Arguments.of("exp null", raw("{\"sub\":\"u1\",\"role\":\"VIEWER\",\"exp\":null}")),
        Arguments.of("iat as a string", raw("{\"sub\":\"u1\",\"role\":\"VIEWER\",\"exp\":" + exp + ",\"iat\":\"yesterday\"}")),
        Arguments.of("iat null", raw("{\"sub\":\"u1\",\"role\":\"VIEWER\",\"exp\":" + exp + ",\"iat\":null}")),
        Arguments.of("nbf as a string", raw("{\"sub\":\"u1\",\"role\":\"VIEWER\",\"exp\":" + exp + ",\"nbf\":\"0\"}")),
        Arguments.of("nbf null", raw("{\"sub\":\"u1\",\"role\":\"VIEWER\",\"exp\":" + exp + ",\"nbf\":null}")),
        Arguments.of("exp beyond a double", raw("{\"sub\":\"u1\",\"role\":\"VIEWER\",\"exp\":1e400}")),
        Arguments.of("sub with NUL", raw("{\"sub\":\"alice\\u0000\",\"role\":\"VIEWER\",\"exp\":" + exp + "}")),
        Arguments.of("sub with a control character", raw("{\"sub\":\"alice\\u0007\",\"role\":\"VIEWER\",\"exp\":" + exp + "}")),
        Arguments.of("sub with DEL", raw("{\"sub\":\"alice\\u007f\",\"role\":\"VIEWER\",\"exp\":" + exp + "}")),
        Arguments.of("sub with a C1 control", raw("{\"sub\":\"alice\\u0085\",\"role\":\"VIEWER\",\"exp\":" + exp + "}")),
        Arguments.of("sub with a lone high surrogate", raw("{\"sub\":\"alice\\ud800\",\"role\":\"VIEWER\",\"exp\":" + exp + "}")),
        Arguments.of("sub with a lone low surrogate", raw("{\"sub\":\"\\udc00alice\",\"role\":\"VIEWER\",\"exp\":" + exp + "}")),
        Arguments.of("sub null", raw("{\"sub\":null,\"role\":\"VIEWER\",\"exp\":" + exp + "}")),
        Arguments.of("sub a number", raw("{\"sub\":42,\"role\":\"VIEWER\",\"exp\":" + exp + "}")),
        Arguments.of("brandId an object", raw("{\"sub\":\"u1\",\"role\":\"BRAND\",\"brandId\":{},\"exp\":" + exp + "}")),
        Arguments.of("creatorId with NUL", raw("{\"sub\":\"u1\",\"role\":\"CREATOR\",\"creatorId\":\"c\\u0000\",\"exp\":" + exp + "}")),
        Arguments.of("two sub claims", raw("{\"sub\":\"bob\",\"sub\":\"alice\",\"role\":\"VIEWER\",\"exp\":" + exp + "}")),
        Arguments.of("claims with a comment", raw("{\"sub\":\"u1\",/* hi */\"role\":\"VIEWER\",\"exp\":" + exp + "}")),
        Arguments.of("a payload that is not UTF-8", Jwts.hs256Raw(TestApp.SECRET, concat(
            "{\"sub\":\"alice", new byte[] {(byte) 0xff}, "\",\"role\":\"VIEWER\",\"exp\":" + exp + "}"))),
        Arguments.of("a payload that is a JSON array", raw("[1,2]")));
  }

  static byte[] concat(String a, byte[] middle, String b) {
    byte[] x = a.getBytes(StandardCharsets.UTF_8);
    byte[] z = b.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[x.length + middle.length + z.length];
    System.arraycopy(x, 0, out, 0, x.length);
    System.arraycopy(middle, 0, out, x.length, middle.length);
    System.arraycopy(z, 0, out, x.length + middle.length, z.length);
    return out;
  }

  @ParameterizedTest(name = "{0}: 401")
  @MethodSource("rejected")
  @DisplayName("A signed token with an unusable claim answers 401 with a problem body, never 500")
  void unusableClaimsAre401(String what, String token) {
    Resp r = app.get("/api/v1/me", token);
    assertThat(r.status()).as(what + ": " + r).isEqualTo(401);
    assertThat(r.header("Content-Type")).isEqualTo("application/problem+json");
    assertThat(r.json().getString("code")).isEqualTo("UNAUTHORIZED");
  }

  @Test
  @DisplayName("A lone surrogate in sub never reaches the inbox of the user whose id it would be written as")
  void loneSurrogateIsNotAnotherUser() {
    String victim = "alice-" + UUID.randomUUID();
    assertThat(app.put("/api/v1/users/" + victim + "%3F", admin, "{\"role\":\"CREATOR\"}").status()).isEqualTo(200);
    Resp created = app.post("/api/v1/notifications", admin, new JsonObject().put("userId", victim + "?")
        .put("type", "SYSTEM").put("title", "secret").put("message", "m").encode());
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    String forged = raw("{\"sub\":\"" + victim + "\\ud800\",\"role\":\"CREATOR\",\"exp\":" + later() + "}");
    Resp inbox = app.get("/api/v1/notifications", forged);
    assertThat(inbox.status()).as(inbox.toString()).isEqualTo(401);
  }

  @Test
  @DisplayName("Explicit null optional claims are valid and read as absent: /me shows them as null")
  void nullOptionalClaimsAreAbsent() {
    String token = raw("{\"sub\":\"n-1\",\"role\":\"CREATOR\",\"brandId\":null,\"creatorId\":null,\"email\":null,"
        + "\"exp\":" + later() + "}");
    Resp r = app.get("/api/v1/me", token);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.data()).isEqualTo(new JsonObject().put("sub", "n-1").put("role", "CREATOR")
        .putNull("brandId").putNull("creatorId"));
  }

  /** One call of every endpoint, as a token of this sub would make it. */
  record Call(String method, String path, String body) {
  }

  static List<Call> everyEndpoint(String sub) {
    String key = "k-" + sub;
    List<Call> calls = new ArrayList<>(List.of(
        new Call("GET", "/api/v1/me", null),
        new Call("GET", "/api/v1/flags/enabled", null),
        new Call("GET", "/api/v1/flags/some-flag/enabled", null),
        new Call("POST", "/api/v1/flags/evaluate", "{\"context\":{\"plan\":\"pro\"}}"),
        new Call("GET", "/api/v1/flags", null),
        new Call("POST", "/api/v1/flags", "{\"name\":\"flag-" + sub + "\"}"),
        new Call("GET", "/api/v1/notifications", null),
        new Call("GET", "/api/v1/notifications/unread-count", null),
        new Call("POST", "/api/v1/notifications/read-all", null),
        new Call("POST", "/api/v1/notifications", "{\"userId\":\"" + sub + "\",\"type\":\"SYSTEM\",\"title\":\"t\",\"message\":\"m\"}"),
        new Call("PUT", "/api/v1/users/other-" + sub, "{\"role\":\"VIEWER\"}"),
        new Call("PUT", "/api/v1/users", "{\"users\":[{\"id\":\"bulk-" + sub + "\",\"role\":\"VIEWER\"}]}"),
        new Call("POST", "/api/v1/idempotency", "{\"key\":\"" + key + "\",\"entityType\":\"t\",\"requestHash\":\"h\"}"),
        new Call("POST", "/api/v1/idempotency/" + key + "/complete", "{\"responseStatus\":201,\"responseBody\":{\"a\":1}}"),
        new Call("GET", "/api/v1/idempotency/" + key, null),
        new Call("GET", "/api/v1/jobs", null)));
    return calls;
  }

  @Test
  @DisplayName("A token with \"brandId\": null answers 200 wherever the same token without the claim does")
  void nullClaimsAnswerLikeAbsentOnes() {
    String with = "with-null-" + UUID.randomUUID();
    String without = "without-" + UUID.randomUUID();
    String nullToken = raw("{\"sub\":\"" + with + "\",\"role\":\"ADMIN\",\"brandId\":null,\"creatorId\":null,"
        + "\"exp\":" + later() + "}");
    String plainToken = app.token(without, "ADMIN");
    List<Call> a = everyEndpoint(with);
    List<Call> b = everyEndpoint(without);
    for (int i = 0; i < a.size(); i++) {
      Resp withNull = app.send(a.get(i).method(), a.get(i).path(), nullToken, a.get(i).body(), java.util.Map.of());
      Resp plain = app.send(b.get(i).method(), b.get(i).path(), plainToken, b.get(i).body(), java.util.Map.of());
      assertThat(plain.status()).as("without the claim: " + b.get(i) + " " + plain).isLessThan(300);
      assertThat(withNull.status()).as("with brandId null: " + a.get(i) + " " + withNull).isEqualTo(plain.status());
    }
  }

  @Test
  @DisplayName("The bridge accepts a REGISTER whose token has null optional claims, and delivers the user's pushes")
  void bridgeAcceptsNullClaims() throws Exception {
    String u = "bn-" + UUID.randomUUID();
    assertThat(app.put("/api/v1/users/" + u, admin, "{\"role\":\"CREATOR\"}").status()).isEqualTo(200);
    String token = raw("{\"sub\":\"" + u + "\",\"role\":\"CREATOR\",\"brandId\":null,\"creatorId\":null,"
        + "\"exp\":" + later() + "}");
    String address = BrowserAddresses.user(u);
    try (BridgeClient client = BridgeClient.connect(app.port())) {
      client.register(address, token);
      client.awaitRegistered(address);
      client.awaitProbe(app.app().vertx(), address);
    }
  }

  @ParameterizedTest(name = "{0}: refused")
  @MethodSource("rejected")
  @DisplayName("The bridge refuses a REGISTER carrying such a token with an error frame, and delivers nothing")
  void bridgeRefusesUnusableClaims(String what, String token) throws Exception {
    String address = BrowserAddresses.user("u1");
    try (BridgeClient client = BridgeClient.connect(app.port())) {
      client.register(address, token);
      JsonObject err = client.next(BridgeClient.errFor(address), 5_000);
      assertThat(err).as(what + ": frames " + client.seen()).isNotNull();
      app.app().vertx().eventBus().publish(address, new JsonObject().put("event", "probe"));
      assertThat(client.next(BridgeClient.messageOn(address), 300)).isNull();
    }
  }

  @Test
  @DisplayName("REGISTER headers that are null, not an object, or hold a non-string Authorization are refused")
  void malformedRegisterHeaders() throws Exception {
    String address = BrowserAddresses.user("u2");
    try (BridgeClient client = BridgeClient.connect(app.port())) {
      for (Object headers : new Object[] {null, "Bearer x", new io.vertx.core.json.JsonArray().add(1),
          new JsonObject().putNull("Authorization"), new JsonObject().put("Authorization", 42),
          new JsonObject().put("Authorization", "Bearer " + app.token("u2", "CREATOR") + "\u0000")}) {
        client.send(new JsonObject().put("type", "register").put("address", address).put("headers", headers));
        assertThat(client.next(BridgeClient.errFor(address), 5_000)).as("headers " + headers).isNotNull();
      }
      assertThat(client.closed()).isNotDone();
    }
  }
}
