package dev.systemtables.http;

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

import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Identity: every /api/v1 call is authenticated and authorised")
class IdentityTest {

  static TestApp app;

  @BeforeAll
  static void start() {
    app = TestApp.start();
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  static JsonObject claims(String sub, String role, Long exp) {
    JsonObject c = new JsonObject();
    if (sub != null) c.put("sub", sub);
    if (role != null) c.put("role", role);
    if (exp != null) c.put("exp", exp);
    return c;
  }

  static Stream<Arguments> rejectedTokens() {
    long later = Jwts.now() + 3600;
    return Stream.of(
        Arguments.of("no Authorization header", null),
        Arguments.of("a malformed token", "not.a.jwt"),
        Arguments.of("an expired token", Jwts.hs256(TestApp.SECRET, claims("u1", "VIEWER", Jwts.now() - 5))),
        Arguments.of("an unsigned (alg none) token", Jwts.unsigned(claims("u1", "ADMIN", later))),
        Arguments.of("a token signed with another secret",
            Jwts.hs256("another-secret-0123456789-abcdefghijklmnop", claims("u1", "ADMIN", later))),
        Arguments.of("a token without sub", Jwts.hs256(TestApp.SECRET, claims(null, "VIEWER", later))),
        Arguments.of("a token without role", Jwts.hs256(TestApp.SECRET, claims("u1", null, later))),
        Arguments.of("a token with an unknown role", Jwts.hs256(TestApp.SECRET, claims("u1", "ROOT", later))),
        Arguments.of("a token without exp", Jwts.hs256(TestApp.SECRET, claims("u1", "VIEWER", null))));
  }

  @ParameterizedTest(name = "{0} gets 401")
  @MethodSource("rejectedTokens")
  @DisplayName("A bad token gets 401 with a problem body")
  void badTokensAre401(String what, String token) {
    Resp r = app.get("/api/v1/me", token);
    assertThat(r.status()).as(what).isEqualTo(401);
    assertThat(r.header("Content-Type")).isEqualTo("application/problem+json");
    assertThat(r.json().getString("code")).isEqualTo("UNAUTHORIZED");
    assertThat(r.json().getInteger("status")).isEqualTo(401);
  }

  @Test
  @DisplayName("/me returns the caller as the service understands the token")
  void meEchoesTheCaller() {
    String token = app.token(new JsonObject().put("sub", "creator-7").put("role", "CREATOR")
        .put("brandId", "brand-1").put("creatorId", "c-7"));
    Resp r = app.get("/api/v1/me", token);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.data()).isEqualTo(new JsonObject().put("sub", "creator-7").put("role", "CREATOR")
        .put("brandId", "brand-1").put("creatorId", "c-7"));
  }

  @Test
  @DisplayName("A hand-made valid HS256 token is accepted")
  void handMadeValidTokenWorks() {
    Resp r = app.get("/api/v1/me", Jwts.hs256(TestApp.SECRET, claims("u9", "BRAND", Jwts.now() + 60)));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.data().getString("role")).isEqualTo("BRAND");
  }

  @ParameterizedTest(name = "{0} gets 403 on an ADMIN endpoint")
  @org.junit.jupiter.params.provider.ValueSource(strings = {"CREATOR", "BRAND", "VIEWER", "SERVICE"})
  @DisplayName("A valid token without the needed role gets 403")
  void wrongRoleIs403(String role) {
    Resp r = app.put("/api/v1/users/someone", app.token("u-" + role, role), "{\"role\":\"VIEWER\"}");
    assertThat(r.status()).isEqualTo(403);
    assertThat(r.json().getString("code")).isEqualTo("FORBIDDEN");
  }
}
