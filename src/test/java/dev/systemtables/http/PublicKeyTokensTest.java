package dev.systemtables.http;

import dev.systemtables.testing.Resp;
import dev.systemtables.testing.TestApp;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("JWT_PUBLIC_KEY: RS256 and ES256 tokens verified with a PEM public key")
class PublicKeyTokensTest {

  static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  static KeyPair keyPair(String algorithm) throws Exception {
    if (algorithm.equals("RS256")) {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      return g.generateKeyPair();
    }
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  static String sign(Vertx vertx, String algorithm, KeyPair keys, JsonObject claims) {
    JWTAuth signer = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions()
        .setAlgorithm(algorithm).setBuffer(pem("PRIVATE KEY", keys.getPrivate().getEncoded()))));
    return signer.generateToken(claims, new JWTOptions().setAlgorithm(algorithm).setExpiresInSeconds(600));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"RS256", "ES256"})
  @DisplayName("A token signed with the matching private key is accepted; one from another key pair or an HS256 token is 401")
  void verifiesWithThePublicKey(String algorithm) throws Exception {
    KeyPair keys = keyPair(algorithm);
    KeyPair other = keyPair(algorithm);
    Vertx vertx = Vertx.vertx();
    try (TestApp app = TestApp.start(Map.of("JWT_PUBLIC_KEY", pem("PUBLIC KEY", keys.getPublic().getEncoded())))) {
      JsonObject claims = new JsonObject().put("sub", "pk-user").put("role", "CREATOR").put("creatorId", "c-1");
      Resp ok = app.get("/api/v1/me", sign(vertx, algorithm, keys, claims));
      assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
      assertThat(ok.data().getString("creatorId")).isEqualTo("c-1");

      assertThat(app.get("/api/v1/me", sign(vertx, algorithm, other, claims)).status()).isEqualTo(401);
      assertThat(app.get("/api/v1/me", dev.systemtables.testing.Jwts.hs256(TestApp.SECRET,
          claims.copy().put("exp", dev.systemtables.testing.Jwts.now() + 60))).status()).isEqualTo(401);
    } finally {
      vertx.close().await();
    }
  }
}
