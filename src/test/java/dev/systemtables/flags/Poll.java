package dev.systemtables.flags;

import java.util.function.BooleanSupplier;

/** Waits for a condition, checking every 20 ms, up to a bound. Returns whether it became true. */
final class Poll {

  private Poll() {
  }

  static boolean until(long maxMillis, BooleanSupplier condition) {
    long deadline = System.nanoTime() + maxMillis * 1_000_000;
    while (true) {
      if (condition.getAsBoolean()) return true;
      if (System.nanoTime() > deadline) return false;
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }
}
