package dev.oomguard.benchmarks;

import dev.oomguard.metrics.CardinalityGuard;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
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
 * A Micrometer registry with and without a {@link CardinalityGuard} on the same work: {@code
 * registry=unguarded} is a plain {@code SimpleMeterRegistry}, {@code registry=guarded} the same
 * with a guard bound (100 values per tag key, 10,000 series), {@code registry=micrometer} the same
 * with Micrometer's own {@code maximumAllowableTags(..)} (deny past the cap) and {@code
 * maximumAllowableMetrics(..)} filters, the peer a user would pick. Micrometer's filters never
 * forget a value, so their caps for {@code orders} are set above the values that benchmark cycles
 * through (otherwise it would measure a deny, not a registration).
 *
 * <ul>
 *   <li>{@code incrementRegistered}: look up an existing counter by name and tags and increment it,
 *       as code with tag values from data does on every request.
 *   <li>{@code registerNewCombination}: register a counter with a tag value never seen, then remove
 *       it, so the registry stays the same size and every operation is a real registration (the
 *       guard counts it, caps it and gives its slot back).
 *   <li>{@code churn}: 1,000,000 distinct tag values, each looked up and incremented once, on a
 *       fresh registry per iteration; the tear-down prints the meters the registry holds and the
 *       heap retained after a full GC, the figure that grows without the guard.
 * </ul>
 *
 * <p>Run (allocation per operation is {@code gc.alloc.rate.norm}): {@code java -jar
 * benchmarks/target/benchmarks.jar CardinalityGuardBenchmark -f 1 -wi 3 -w 2s -i 5 -r 2s -prof gc}
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

  /** Values {@code registerNewCombination} cycles through. */
  static final int NEW_VALUES = 10_000;

  static final int CAP = 100;
  static final int PAST_THE_CAP = 1_000;

  @Param({"unguarded", "guarded", "micrometer"})
  String registry = "";

  private MeterRegistry meters = new SimpleMeterRegistry();
  private long next;
  private String[] newValues = new String[0];
  private String[] pastTheCap = new String[0];

  @Setup(Level.Trial)
  public void setUp() {
    meters = newRegistry(registry);
    for (int i = 0; i < 50; i++) {
      meters.counter("requests", "uri", "/items/" + i, "method", "GET").increment();
    }
    for (int i = 0; i < CAP; i++) {
      meters.counter("lookups", "user", "u" + i).increment();
    }
    newValues = new String[NEW_VALUES];
    for (int i = 0; i < NEW_VALUES; i++) {
      newValues[i] = "c" + i;
    }
    pastTheCap = new String[PAST_THE_CAP];
    for (int i = 0; i < PAST_THE_CAP; i++) {
      pastTheCap[i] = "past" + i;
    }
  }

  static MeterRegistry newRegistry(String kind) {
    MeterRegistry meters = new SimpleMeterRegistry();
    switch (kind) {
      case "unguarded" -> {}
      case "guarded" ->
          CardinalityGuard.builder().maxTagValues(CAP).maxSeries(10_000).build().bindTo(meters);
      case "micrometer" ->
          meters
              .config()
              .meterFilter(
                  MeterFilter.maximumAllowableTags("requests", "uri", CAP, MeterFilter.deny()))
              .meterFilter(
                  MeterFilter.maximumAllowableTags("lookups", "user", CAP, MeterFilter.deny()))
              .meterFilter(
                  MeterFilter.maximumAllowableTags(
                      "orders", "customer", 2 * NEW_VALUES, MeterFilter.deny()))
              .meterFilter(MeterFilter.maximumAllowableMetrics(4 * NEW_VALUES));
      default ->
          throw new IllegalArgumentException(
              "registry must be unguarded, guarded or micrometer, was " + kind);
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
    Counter counter = meters.counter("orders", "customer", newValues[(int) (next++ % NEW_VALUES)]);
    blackhole.consume(counter);
    meters.remove(counter);
  }

  @Benchmark
  public Counter lookupPastTheCap() {
    Counter counter = meters.counter("lookups", "user", pastTheCap[(int) (next++ % PAST_THE_CAP)]);
    counter.increment();
    return counter;
  }

  /** A fresh registry per churn iteration, so each one starts from nothing. */
  @State(Scope.Benchmark)
  public static class Churn {
    @Param({"unguarded", "guarded", "micrometer"})
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
      System.out.printf(
          "%n[churn %s] meters=%d heapRetainedMiB=%d%n",
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
