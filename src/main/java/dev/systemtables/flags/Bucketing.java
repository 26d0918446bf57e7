package dev.systemtables.flags;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;

import java.nio.charset.StandardCharsets;

/**
 * The rollout bucket of a user for a flag, the same number Unleash's gradual rollout computes
 * ({@code normalizedValue(userId, groupId = flag name)}), so users keep their cohort when a
 * platform moves between the two: murmur3 x86 32-bit, seed 0, over the UTF-8 bytes of
 * {@code "<flag name>:<user id>"}, read as unsigned, {@code % 100 + 1}.
 */
public final class Bucketing {

  /** Guava's corrected murmur3_32 (the old {@code murmur3_32()} mis-hashes non-BMP strings). */
  private static final HashFunction MURMUR3 = Hashing.murmur3_32_fixed(0);

  private Bucketing() {
  }

  /** The 32-bit hash of a key as an unsigned number (0 … 2^32-1). */
  public static long hash(String key) {
    return Integer.toUnsignedLong(MURMUR3.hashString(key, StandardCharsets.UTF_8).asInt());
  }

  /** 1 … 100; a user is in a rollout of p % when their bucket is ≤ p. */
  public static int bucket(String flagName, String userId) {
    return (int) (hash(flagName + ":" + userId) % 100) + 1;
  }
}
