package dev.oomguard.benchmarks;

import dev.oomguard.metrics.CardinalityGuard;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * A Micrometer registry with and without a {@link CardinalityGuard} on the same work:
 * {@code registry=unguarded} is a plain {@code SimpleMeterRegistry}, {@code registry=guarded} the
 * same with a guard bound (100 values per tag key, 10,000 series).
 *
 * <ul>
 *   <li>{@code incrementRegistered}: look up an existing counter by name and tags and increment
 *       it, as code with tag values from data does on every request.
 *   <li>{@code registerNewCombination}: register a counter with a tag value never seen, then
 *       remove it, so the registry stays the same size and every operation is a real
 *       registration (the guard counts it, caps it and gives its slot back).
 *   <li>{@code churn}: 1,000,000 distinct tag values, each looked up and incremented once, on a
 *       fresh registry per iteration; the tear-down prints the meters the registry holds and the
 *       heap retained after a full GC, the figure that grows without the guard.
 * </ul>
 *
 * <p>Run (allocation per operation is {@code gc.alloc.rate.norm}):
 * {@code java -jar benchmarks/target/benchmarks.jar CardinalityGuardBenchmark -f 1 -wi 3 -w 2s -i 5 -r 2s -prof gc}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx4g")
@Threads(1)
public class CardinalityGuardBenchmark {
  static final int CHURN_VALUES = 1_000_000;

  @Param({"unguarded", "guarded"})
  String registry = "";

  private MeterRegistry meters = new SimpleMeterRegistry();
  private long next;

  @Setup(Level.Trial)
  public void setUp() {
    meters = newRegistry(registry);
    for (int i = 0; i < 50; i++) {
      meters.counter("requests", "uri", "/items/" + i, "method", "GET").increment();
    }
  }

  static MeterRegistry newRegistry(String kind) {
    MeterRegistry meters = new SimpleMeterRegistry();
    switch (kind) {
      case "unguarded":
        break;
      case "guarded":
        CardinalityGuard.builder().maxTagValues(100).maxSeries(10_000).build().bindTo(meters);
        break;
      default:
        throw new IllegalArgumentException("registry must be unguarded or guarded, was " + kind);
    }
    return meters;
  }

  @Benchmark
  public Counter incrementRegistered() {
    Counter counter = meters.counter("requests", "uri", "/items/7", "method", "GET");
    counter.increment();
    return counter;
  }

  @Benchmark
  public void registerNewCombination(Blackhole blackhole) {
    Counter counter = meters.counter("orders", "customer", "c" + next++);
    blackhole.consume(counter);
    meters.remove(counter);
  }

  /** A fresh registry per churn iteration, so each one starts from nothing. */
  @State(Scope.Benchmark)
  public static class Churn {
    @Param({"unguarded", "guarded"})
    String registry = "";

    MeterRegistry meters = new SimpleMeterRegistry();
    long next;

    @Setup(Level.Iteration)
    public void setUp() {
      meters = newRegistry(registry);
    }

    @TearDown(Level.Iteration)
    public void report() {
      for (int i = 0; i < 3; i++) {
        System.gc();
      }
      long retained = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
      System.out.printf("%n[churn %s] meters=%d heapRetainedMiB=%d%n",
          registry, meters.getMeters().size(), retained >> 20);
    }
  }

  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @OperationsPerInvocation(CHURN_VALUES)
  @Warmup(iterations = 1)
  @Measurement(iterations = 3)
  public void churn(Churn churn) {
    for (int i = 0; i < CHURN_VALUES; i++) {
      churn.meters.counter("requests", "uri", "/items/" + churn.next++).increment();
    }
  }
}
