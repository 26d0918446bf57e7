package dev.systemtables.flags;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * The two single-flag benchmarks of {@link FlagEvaluatorBenchmark} timed by the thread's CPU time instead of the
 * wall clock, for machines shared with other work, where JMH's wall-clock throughput mostly measures the
 * scheduler. Not a test; run as in BENCHMARKS.md ("Feature-flag evaluation (JMH)").
 */
public final class FlagEvaluatorCpuTime {

  private FlagEvaluatorCpuTime() {
  }

  public static void main(String[] args) {
    FlagEvaluatorBenchmark b = new FlagEvaluatorBenchmark();
    b.setUp();
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long sink = 0;
    for (String which : new String[] {"simpleFlag", "ruleFlag"}) {
      for (int round = 0; round < 8; round++) {
        long n = 20_000_000L;
        long cpu0 = threads.getCurrentThreadCpuTime();
        long wall0 = System.nanoTime();
        for (long i = 0; i < n; i++) {
          sink += "simpleFlag".equals(which) ? (b.simpleFlag() ? 1 : 0) : (b.ruleFlag().enabled() ? 1 : 0);
        }
        long cpu = threads.getCurrentThreadCpuTime() - cpu0;
        long wall = System.nanoTime() - wall0;
        if (round >= 3) { // the first rounds warm the JIT up
          System.out.printf("%-10s round %d: %5.1f M evaluations per CPU-second (%5.1f M per wall-clock second)%n",
              which, round, n * 1e3 / cpu, n * 1e3 / wall);
        }
      }
    }
    System.out.println("(checksum " + sink + ")");
  }
}
