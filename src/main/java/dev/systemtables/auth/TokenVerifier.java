package dev.systemtables.auth;

import dev.systemtables.common.ApiException;
import dev.systemtables.common.ErrorCode;
import dev.systemtables.common.StrictJson;
import dev.systemtables.common.Text;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.User;
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
   * malformed, expired, unsigned or wrongly signed token, or one whose claims are unusable:
   * <ul>
   *   <li>the payload is not strict UTF-8 JSON (see {@link StrictJson}: no comments, no duplicate
   *   claims, no lone surrogates, no number beyond a double);</li>
   *   <li>{@code exp} is missing or not a number, or {@code iat} / {@code nbf} is present but not a
   *   number (JSON {@code null} included);</li>
   *   <li>{@code sub} is not a string usable as a user id ({@link Text#identifierProblem}): so two
   *   different {@code sub} values can never be stored as one user;</li>
   *   <li>{@code role} is not one of ours; {@code brandId} / {@code creatorId} are neither absent,
   *   null, a string nor a number, or hold a control character or lone surrogate.</li>
   * </ul>
   * Optional claims given as JSON {@code null} are treated as absent, as many identity providers
   * send them. Never throws: every failure is a failed future.
   */
  public Future<Caller> verify(String token) {
    if (token == null || token.isBlank()) {
      return Future.failedFuture(unauthorized("missing bearer token"));
    }
    Future<User> authenticated;
    try {
      // The library's expiry check reads exp/iat/nbf as numbers and throws (synchronously) on a string
      // or null; that must be a 401 like any other unusable token, not an exception escaping the caller.
      authenticated = jwt.authenticate(new TokenCredentials(token));
    } catch (RuntimeException e) {
      authenticated = Future.failedFuture(e);
    }
    return authenticated
        .recover(t -> Future.failedFuture(unauthorized("invalid or expired token")))
        .compose(user -> {
          try {
            return Future.succeededFuture(caller(token));
          } catch (ApiException e) {
            return Future.failedFuture(e);
          }
        });
  }

  /** Reads the claims of a token whose signature and expiry the library has accepted. */
  private static Caller caller(String token) {
    JsonObject claims;
    try {
      // Read again from the token's own bytes, strictly: the library decodes them leniently.
      String[] parts = token.split("\\.", -1);
      Object parsed = StrictJson.parse(Base64.getUrlDecoder().decode(parts[1]));
      if (!(parsed instanceof JsonObject o)) throw unauthorized("token claims are not a JSON object");
      claims = o;
    } catch (StrictJson.Invalid e) {
      throw unauthorized("token claims are unusable: " + e.describe("the payload"));
    } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
      throw unauthorized("token payload is not base64url");
    }
    Object sub = claims.getValue("sub");
    if (!(sub instanceof String s)) throw unauthorized("token has no sub claim");
    String subProblem = Text.identifierProblem(s);
    if (subProblem != null) throw unauthorized("token sub claim " + subProblem);
    if (!(claims.getValue("exp") instanceof Number)) throw unauthorized("token has no numeric exp claim");
    for (String time : new String[] {"iat", "nbf"}) {
      if (claims.containsKey(time) && !(claims.getValue(time) instanceof Number)) {
        throw unauthorized("token " + time + " claim is not a number");
      }
    }
    Role role = Role.parse(claims.getValue("role"));
    if (role == null) throw unauthorized("token has no valid role claim");
    Map<String, Object> present = new HashMap<>();
    claims.forEach(e -> {
      if (e.getValue() != null) present.put(e.getKey(), e.getValue());
    });
    return new Caller(s, role, optionalId(claims, "brandId"), optionalId(claims, "creatorId"), present);
  }

  /** An optional id claim: absent and null read as absent; a string or a number is the id. */
  private static String optionalId(JsonObject claims, String name) {
    Object v = claims.getValue(name);
    if (v == null) return null;
    if (!(v instanceof String) && !(v instanceof Number)) throw unauthorized("token " + name + " claim is not a string");
    String id = String.valueOf(v);
    // Stored in the users directory like sub, so the same characters are refused (an empty value stays
    // allowed, as before: some providers send "" for "none").
    if (Text.controlCharacter(id) >= 0 || Text.loneSurrogate(id) >= 0) {
      throw unauthorized("token " + name + " claim contains a control character or a lone UTF-16 surrogate");
    }
    return id;
  }

  /**
   * Extracts the token of an {@code Authorization: Bearer ...} header value, or null. Only spaces and
   * tabs around it are dropped (HTTP's optional white space): {@link String#trim()} would also drop NUL
   * and other control characters, so a REGISTER header {@code "Bearer <token>\u0000"} would pass as the token.
   */
  public static String bearer(String header) {
    if (header == null) return null;
    String h = strip(header);
    if (h.length() < 7 || !h.regionMatches(true, 0, "Bearer ", 0, 7)) return null;
    String token = strip(h.substring(7));
    return token.isEmpty() ? null : token;
  }

  private static String strip(String s) {
    int from = 0;
    int to = s.length();
    while (from < to && (s.charAt(from) == ' ' || s.charAt(from) == '\t')) from++;
    while (to > from && (s.charAt(to - 1) == ' ' || s.charAt(to - 1) == '\t')) to--;
    return s.substring(from, to);
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
