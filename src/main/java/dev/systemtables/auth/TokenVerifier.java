package dev.systemtables.auth;

import dev.systemtables.common.ApiException;
import dev.systemtables.common.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * Verifies bearer tokens (HS256 with a shared secret, or RS256/ES256 with a PEM public key)
 * and turns them into a {@link Caller}. Used by the REST layer and by the event-bus bridge.
 */
public final class TokenVerifier {

  /** The shortest HS256 secret accepted: 32 bytes, as RFC 7518 asks for HMAC-SHA256. */
  public static final int MIN_SECRET_BYTES = 32;

  private final JWTAuth jwt;

  private TokenVerifier(JWTAuth jwt) {
    this.jwt = jwt;
  }

  /** A verifier for an HS256 secret. */
  public static TokenVerifier hs256(Vertx vertx, String secret) {
    if (secret.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException("JWT_SECRET must be at least " + MIN_SECRET_BYTES + " bytes");
    }
    return new TokenVerifier(JWTAuth.create(vertx, new JWTAuthOptions()
        .setJWTOptions(new JWTOptions().setLeeway(0))
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret))));
  }

  /** A verifier for a PEM public key; RSA keys verify RS256, EC keys ES256. */
  public static TokenVerifier publicKey(Vertx vertx, String pem) {
    String algorithm = algorithmOf(pem);
    return new TokenVerifier(JWTAuth.create(vertx, new JWTAuthOptions()
        .setJWTOptions(new JWTOptions().setLeeway(0))
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm(algorithm).setBuffer(pem))));
  }

  /** The underlying provider, for issuing tokens in dev mode and tests. */
  public JWTAuth provider() {
    return jwt;
  }

  /**
   * Verifies a token and reads its claims. Fails with {@code UNAUTHORIZED} for a missing,
   * malformed, expired, unsigned or wrongly signed token, or one without {@code sub}, a known
   * {@code role} or {@code exp}.
   */
  public Future<Caller> verify(String token) {
    if (token == null || token.isBlank()) {
      return Future.failedFuture(unauthorized("missing bearer token"));
    }
    return jwt.authenticate(new TokenCredentials(token))
        .recover(t -> Future.failedFuture(unauthorized("invalid or expired token")))
        .compose(user -> {
          // The full payload; the principal keeps only some claims and moves exp to the attributes.
          JsonObject claims = user.attributes().getJsonObject("accessToken", user.principal());
          Object sub = claims.getValue("sub");
          if (!(sub instanceof String s) || s.isBlank()) {
            return Future.failedFuture(unauthorized("token has no sub claim"));
          }
          if (!(claims.getValue("exp") instanceof Number)) {
            return Future.failedFuture(unauthorized("token has no exp claim"));
          }
          Role role = Role.parse(claims.getValue("role"));
          if (role == null) {
            return Future.failedFuture(unauthorized("token has no valid role claim"));
          }
          Map<String, Object> all = new HashMap<>(claims.getMap());
          return Future.succeededFuture(new Caller(s, role, stringClaim(claims, "brandId"),
              stringClaim(claims, "creatorId"), all));
        });
  }

  /** Extracts the token of an {@code Authorization: Bearer ...} header value, or null. */
  public static String bearer(String header) {
    if (header == null) return null;
    String h = header.trim();
    if (h.length() < 7 || !h.regionMatches(true, 0, "Bearer ", 0, 7)) return null;
    String token = h.substring(7).trim();
    return token.isEmpty() ? null : token;
  }

  private static String stringClaim(JsonObject claims, String name) {
    Object v = claims.getValue(name);
    return v == null ? null : String.valueOf(v);
  }

  private static ApiException unauthorized(String detail) {
    return new ApiException(ErrorCode.UNAUTHORIZED, detail);
  }

  private static String algorithmOf(String pem) {
    String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    byte[] der = Base64.getDecoder().decode(base64);
    for (String[] kind : new String[][] {{"RSA", "RS256"}, {"EC", "ES256"}}) {
      try {
        KeyFactory.getInstance(kind[0]).generatePublic(new X509EncodedKeySpec(der));
        return kind[1];
      } catch (Exception ignored) {
        // not this kind of key
      }
    }
    throw new IllegalArgumentException("JWT_PUBLIC_KEY is neither an RSA nor an EC public key in PEM form");
  }
}
