package dev.systemtables.flags;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Bucketing: murmur3 x86 32-bit, seed 0, unsigned, % 100 + 1 — Unleash's bucket")
class BucketingTest {

  @ParameterizedTest(name = "murmur3_32(\"{0}\") = {1}")
  @CsvSource(delimiter = '|', value = {
      "''|0",
      "hello|613153351",                                      // 0x248bfa47, the published test vector
      "The quick brown fox jumps over the lazy dog|776992547"}) // 0x2e4ff723
  @DisplayName("The hash matches murmur3's published test vectors")
  void publishedVectors(String key, long expected) {
    assertThat(Bucketing.hash(key)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "normalizedValue(\"{1}\", \"{0}\") = {2}")
  @CsvSource({"gr1,123,73", "groupX,999,25"})
  @DisplayName("Buckets equal the values Unleash's node, java and go clients agree on")
  void unleashCrossClientValues(String group, String userId, int expected) {
    assertThat(Bucketing.bucket(group, userId)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "bucket(\"{0}\", \"{1}\") = {2}")
  @CsvSource({
      // computed by a separate Python implementation of murmur3 written for this test suite
      "new-checkout,user-1,32",
      "new-checkout,user-2,90",
      "new-checkout,user-3,7",
      "dark-mode,alice,96",
      "dark-mode,bob,21",
      "beta,zoë-😀,83",
      "checkout-v2,0,51",
      "checkout-v2,9999,11"})
  @DisplayName("Hard-coded buckets, computed independently, do not drift")
  void hardCodedBuckets(String flag, String user, int expected) {
    assertThat(Bucketing.bucket(flag, user)).isEqualTo(expected);
  }

  @Test
  @DisplayName("A key whose hash has the top bit set is read as unsigned")
  void unsignedness() {
    // murmur3("groupX:999") = 0xe518c66c: as a signed int it is negative.
    int signed = (int) Bucketing.hash("groupX:999");
    assertThat(signed).isNegative();
    assertThat(Bucketing.hash("groupX:999")).isEqualTo(0xe518c66cL).isGreaterThan(Integer.MAX_VALUE);
    // Read as signed, the bucket would be -71 (Java %) or 73 (with Math.abs); unsigned it is 25.
    assertThat(signed % 100 + 1).isEqualTo(-71);
    assertThat(Math.abs(signed % 100) + 1).isEqualTo(73);
    assertThat(Bucketing.bucket("groupX", "999")).isEqualTo(25);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"new-checkout:user-1", "dark-mode:bob", "beta:zoë-😀", "a", "ab", "abc", "abcd", "abcde",
      "x:\u0000", "日本語のフラグ:ユーザー"})
  @DisplayName("Guava's hash equals a small murmur3 written here from the algorithm's description")
  void equalsIndependentComputation(String key) {
    assertThat(Bucketing.hash(key)).isEqualTo(ReferenceMurmur3.hash32(key.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  @DisplayName("Buckets are always 1..100 and the same on every call")
  void rangeAndDeterminism() {
    for (int i = 0; i < 10_000; i++) {
      int b = Bucketing.bucket("some-flag", "u" + i);
      assertThat(b).isBetween(1, 100);
      assertThat(Bucketing.bucket("some-flag", "u" + i)).isEqualTo(b);
    }
  }

  /** murmur3 x86 32-bit, seed 0, straight from the algorithm's description: test oracle only. */
  static final class ReferenceMurmur3 {
    static long hash32(byte[] data) {
      final int c1 = 0xcc9e2d51, c2 = 0x1b873593;
      int h = 0;
      int blocks = data.length / 4;
      for (int i = 0; i < blocks; i++) {
        int k = (data[4 * i] & 0xff) | (data[4 * i + 1] & 0xff) << 8 | (data[4 * i + 2] & 0xff) << 16
            | (data[4 * i + 3] & 0xff) << 24;
        k *= c1;
        k = Integer.rotateLeft(k, 15);
        k *= c2;
        h ^= k;
        h = Integer.rotateLeft(h, 13);
        h = h * 5 + 0xe6546b64;
      }
      int k = 0;
      int tail = blocks * 4;
      switch (data.length & 3) {
        case 3:
          k ^= (data[tail + 2] & 0xff) << 16;
        case 2:
          k ^= (data[tail + 1] & 0xff) << 8;
        case 1:
          k ^= data[tail] & 0xff;
          k *= c1;
          k = Integer.rotateLeft(k, 15);
          k *= c2;
          h ^= k;
        default:
          break;
      }
      h ^= data.length;
      h ^= h >>> 16;
      h *= 0x85ebca6b;
      h ^= h >>> 13;
      h *= 0xc2b2ae35;
      h ^= h >>> 16;
      return Integer.toUnsignedLong(h);
    }
  }
}
