package dev.oomguard.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@link NativeEngineBenchmark}'s work measured in this thread's CPU time instead of wall time, for
 * a shared machine, where other processes' load makes JMH's wall-clock scores swing by several
 * times but barely moves the CPU time a call costs. The implementations take turns, round after
 * round, and each one's median round counts; the table gives calls per CPU-second and the ratios
 * over the JDK streams and over the pooled-zlib floor.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar
 * dev.oomguard.benchmarks.NativeEngineCpuTime [rounds]}
 */
public final class NativeEngineCpuTime {
  private static final String[] IMPLS = {"jdk", "zlib", "codec", "codec-libdeflate", "libdeflate"};
  private static final int[] SIZES = {1024, 16384, 262144, 1048576};

  /** CPU time per implementation per round. */
  private static final long ROUND_NANOS = 40_000_000;

  private NativeEngineCpuTime() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 9;
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    System.out.println(
        "| size | operation | "
            + String.join(" | ", IMPLS)
            + " | codec-libdeflate / jdk | codec-libdeflate / zlib floor | codec / zlib floor |");
    System.out.println("|---:|---|" + "---:|".repeat(IMPLS.length + 3));
    for (String operation : new String[] {"compress", "decompress"}) {
      for (int size : SIZES) {
        List<NativeEngineBenchmark> states = new ArrayList<>();
        for (String impl : IMPLS) {
          NativeEngineBenchmark state = new NativeEngineBenchmark();
          state.impl = impl;
          state.size = size;
          state.setUp();
          states.add(state);
        }
        double[][] perSecond = new double[IMPLS.length][rounds];
        for (int round = -2; round < rounds; round++) { // two rounds of warm-up
          for (int i = 0; i < IMPLS.length; i++) {
            double rate = measure(cpu, states.get(i), operation);
            if (round >= 0) {
              perSecond[i][round] = rate;
            }
          }
        }
        StringBuilder row = new StringBuilder("| " + size + " | " + operation + " |");
        double[] medians = new double[IMPLS.length];
        for (int i = 0; i < IMPLS.length; i++) {
          double[] sorted = perSecond[i].clone();
          Arrays.sort(sorted);
          medians[i] = sorted[rounds / 2];
          row.append(String.format(Locale.ROOT, " %,.0f |", medians[i]));
        }
        row.append(
            String.format(
                Locale.ROOT,
                " %.2f | %.2f | %.2f |",
                medians[3] / medians[0],
                medians[3] / medians[1],
                medians[2] / medians[1]));
        System.out.println(row);
        states.forEach(NativeEngineBenchmark::tearDown);
      }
    }
  }

  /** Calls per CPU-second over about {@link #ROUND_NANOS} of this thread's CPU time. */
  private static double measure(ThreadMXBean cpu, NativeEngineBenchmark state, String operation)
      throws Exception {
    long start = cpu.getCurrentThreadCpuTime();
    long calls = 0;
    long sink = 0;
    long elapsed;
    do {
      for (int i = 0; i < 4; i++) {
        byte[] out = operation.equals("compress") ? state.compress() : state.decompress();
        sink += out.length;
      }
      calls += 4;
      elapsed = cpu.getCurrentThreadCpuTime() - start;
    } while (elapsed < ROUND_NANOS);
    if (sink == 42) {
      System.out.print("");
    }
    return calls * 1e9 / elapsed;
  }
}
