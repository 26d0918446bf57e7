package dev.systemtables.idempotency;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Request fingerprint: SHA-256 over method, target and canonical JSON body")
class IdempotencyFingerprintTest {

  @Test
  @DisplayName("Member order and whitespace do not change the fingerprint, at any depth")
  void canonicalJson() {
    String a = "{\"role\":\"ADMIN\",\"nested\":{\"z\":1,\"a\":[{\"y\":true,\"b\":null}]}}";
    String b = "{ \"nested\" : { \"a\" : [ { \"b\" : null , \"y\" : true } ] , \"z\" : 1 } ,\n \"role\" : \"ADMIN\" }";
    assertThat(RequestFingerprint.canonicalBody(b))
        .isEqualTo("{\"nested\":{\"a\":[{\"b\":null,\"y\":true}],\"z\":1},\"role\":\"ADMIN\"}");
    assertThat(RequestFingerprint.of("PUT", "/api/v1/users/u1", a))
        .isEqualTo(RequestFingerprint.of("PUT", "/api/v1/users/u1", b));
  }

  @Test
  @DisplayName("Method, path, query, values, array order and number spelling each change it")
  void everyPartCounts() {
    String base = RequestFingerprint.of("PUT", "/api/v1/users/u1", "{\"role\":\"ADMIN\",\"n\":[1,2],\"x\":1.5}");
    assertThat(base)
        .isNotEqualTo(RequestFingerprint.of("POST", "/api/v1/users/u1", "{\"role\":\"ADMIN\",\"n\":[1,2],\"x\":1.5}"))
        .isNotEqualTo(RequestFingerprint.of("PUT", "/api/v1/users/u2", "{\"role\":\"ADMIN\",\"n\":[1,2],\"x\":1.5}"))
        .isNotEqualTo(RequestFingerprint.of("PUT", "/api/v1/users/u1?a=1", "{\"role\":\"ADMIN\",\"n\":[1,2],\"x\":1.5}"))
        .isNotEqualTo(RequestFingerprint.of("PUT", "/api/v1/users/u1", "{\"role\":\"VIEWER\",\"n\":[1,2],\"x\":1.5}"))
        .isNotEqualTo(RequestFingerprint.of("PUT", "/api/v1/users/u1", "{\"role\":\"ADMIN\",\"n\":[2,1],\"x\":1.5}"))
        .isNotEqualTo(RequestFingerprint.of("PUT", "/api/v1/users/u1", "{\"role\":\"ADMIN\",\"n\":[1,2],\"x\":1.50}"));
  }

  @Test
  @DisplayName("It is the SHA-256 hex of \"METHOD\\nTARGET\\nCANONICAL-BODY\"")
  void knownDigest() throws Exception {
    byte[] digest = MessageDigest.getInstance("SHA-256")
        .digest("POST\n/api/v1/x\n{\"a\":1,\"b\":2}".getBytes(StandardCharsets.UTF_8));
    assertThat(RequestFingerprint.of("POST", "/api/v1/x", "{\"b\":2,\"a\":1}"))
        .isEqualTo(HexFormat.of().formatHex(digest))
        .hasSize(64);
  }

  @Test
  @DisplayName("An empty body and a blank body are the same; a body that is not JSON is hashed as text")
  void emptyAndNonJson() {
    assertThat(RequestFingerprint.of("DELETE", "/x", "")).isEqualTo(RequestFingerprint.of("DELETE", "/x", "  \n"));
    assertThat(RequestFingerprint.of("DELETE", "/x", null)).isEqualTo(RequestFingerprint.of("DELETE", "/x", ""));
    assertThat(RequestFingerprint.canonicalBody("not json {")).isEqualTo("not json {");
    assertThat(RequestFingerprint.canonicalBody("{\"a\":1} trailing")).isEqualTo("{\"a\":1} trailing");
    assertThat(RequestFingerprint.of("POST", "/x", "{\"a\":1} x"))
        .isNotEqualTo(RequestFingerprint.of("POST", "/x", "{\"a\":1} y"));
  }
}
