package dev.systemtables.idempotency;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.google.common.hash.Hashing;

import java.nio.charset.StandardCharsets;

/**
 * The fingerprint of a request behind an {@code Idempotency-Key} header: SHA-256 (hex) over the
 * method, the request target (path and query) and a canonical form of the body, so a retry that
 * only reorders JSON members or changes whitespace is still the same request.
 *
 * <p>Canonical JSON: object members sorted by name at every depth, no insignificant whitespace,
 * numbers kept exactly as decimals (so {@code 1.10} and {@code 1.1} differ, as they may to the
 * endpoint). A body that is not JSON is hashed as its raw text.
 */
public final class RequestFingerprint {

  private static final ObjectMapper CANONICAL = JsonMapper.builder()
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      // "{...} junk" is not JSON: hash it whole rather than only its first value.
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private RequestFingerprint() {
  }

  /**
   * @param method HTTP method, e.g. {@code PUT}
   * @param target path with the query string, e.g. {@code /api/v1/users/u1}
   * @param body   raw body text, empty when none
   */
  public static String of(String method, String target, String body) {
    // Newlines cannot occur in a method or a request target, so the parts cannot run into each other.
    String input = method + "\n" + target + "\n" + canonicalBody(body);
    return Hashing.sha256().hashString(input, StandardCharsets.UTF_8).toString();
  }

  /** The canonical JSON text of a body, or the body itself when it is empty or not JSON. */
  public static String canonicalBody(String body) {
    if (body == null || body.isBlank()) return "";
    try {
      Object tree = CANONICAL.readValue(body, Object.class);
      return CANONICAL.writeValueAsString(tree);
    } catch (JsonProcessingException e) {
      return body;
    }
  }
}
