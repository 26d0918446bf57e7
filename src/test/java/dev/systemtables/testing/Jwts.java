package dev.systemtables.testing;

import io.vertx.core.json.JsonObject;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Hand-assembled tokens, so tests can build the malformed ones a library refuses to make. */
public final class Jwts {

  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private Jwts() {
  }

  public static long now() {
    return System.currentTimeMillis() / 1000;
  }

  /** An HS256 token over exactly these claims. */
  public static String hs256(String secret, JsonObject claims) {
    String signingInput = part(new JsonObject().put("alg", "HS256").put("typ", "JWT")) + "." + part(claims);
    return signingInput + "." + B64.encodeToString(hmac(secret, signingInput));
  }

  /**
   * An HS256 token whose payload is exactly these bytes: JSON text the encoder would never write, such as a
   * {@code \\ud800} escape, a duplicate claim, or bytes that are not UTF-8.
   */
  public static String hs256Raw(String secret, byte[] payload) {
    String signingInput = part(new JsonObject().put("alg", "HS256").put("typ", "JWT")) + "." + B64.encodeToString(payload);
    return signingInput + "." + B64.encodeToString(hmac(secret, signingInput));
  }

  /** Same, with the payload given as JSON text (sent as UTF-8). */
  public static String hs256Raw(String secret, String payloadJson) {
    return hs256Raw(secret, payloadJson.getBytes(StandardCharsets.UTF_8));
  }

  /** An unsigned token ({@code alg: none}). */
  public static String unsigned(JsonObject claims) {
    return part(new JsonObject().put("alg", "none").put("typ", "JWT")) + "." + part(claims) + ".";
  }

  private static String part(JsonObject json) {
    return B64.encodeToString(json.encode().getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] hmac(String secret, String input) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return mac.doFinal(input.getBytes(StandardCharsets.UTF_8));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
