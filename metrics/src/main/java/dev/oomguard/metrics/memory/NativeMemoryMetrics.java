package dev.oomguard.metrics.memory;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.lang.System.Logger.Level;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToLongBiFunction;
import javax.management.JMException;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

/**
 * The JVM's native memory by Native Memory Tracking category (Java Heap, Class, Thread, Code, GC,
 * Compiler, Internal, Symbol, Other, ...): what {@code jcmd <pid> VM.native_memory summary} prints,
 * as meters, read through the {@code DiagnosticCommand} MBean.
 *
 * <pre>{@code
 * // java -XX:NativeMemoryTracking=summary ...
 * new NativeMemoryMetrics().bindTo(registry);
 * }</pre>
 *
 * <p>Meters: {@code jvm.native.memory.reserved} and {@code jvm.native.memory.committed}, gauges in
 * bytes, tagged {@code category} with NMT's own category names. Committed is what can be resident;
 * reserved is address space and mostly is not.
 *
 * <p>Limits: needs a HotSpot JVM started with {@code -XX:NativeMemoryTracking=summary} (or {@code
 * detail}); without it nothing is registered and one INFO line says how to turn it on. The command
 * runs at most once per refresh interval however many gauges are read; one run took 0.06-0.15 ms on
 * JDK 17 (measured). The categories are those of the first summary, at bind time; one that first
 * appears later is not registered, and one that disappears reads 0. A failed run makes every meter
 * read {@code NaN} until the next interval.
 */
public final class NativeMemoryMetrics implements MeterBinder {
  /** How long one run of the command serves the gauges. */
  public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofSeconds(10);

  private static final System.Logger LOG = System.getLogger(NativeMemoryMetrics.class.getName());
  private static final AtomicBoolean TOLD_OFF = new AtomicBoolean();
  private static final String[] SUMMARY_IN_BYTES = {"summary", "scale=b"};

  private final Supplier<String> command;
  private final NmtSampler sampler;
  private final Tags tags;

  public NativeMemoryMetrics() {
    this(DEFAULT_REFRESH_INTERVAL, Tags.empty());
  }

  /**
   * @param refreshInterval how long one run of the NMT command serves the gauges
   * @throws IllegalArgumentException if {@code refreshInterval} is not positive
   */
  public NativeMemoryMetrics(Duration refreshInterval, Iterable<Tag> tags) {
    this(NativeMemoryMetrics::runCommand, System::nanoTime, refreshInterval, tags);
  }

  NativeMemoryMetrics(
      Supplier<String> command,
      LongSupplier nanoTime,
      Duration refreshInterval,
      Iterable<Tag> tags) {
    if (refreshInterval.isNegative() || refreshInterval.isZero()) {
      throw new IllegalArgumentException(
          "refreshInterval must be positive, was " + refreshInterval);
    }
    this.command = command;
    this.sampler = new NmtSampler(command, nanoTime, refreshInterval.toNanos());
    this.tags = Tags.of(tags);
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    NmtSummary first;
    try {
      String output = command.get();
      if (NmtSummary.isNotEnabled(output)) {
        if (TOLD_OFF.compareAndSet(false, true)) {
          LOG.log(
              Level.INFO,
              "native memory tracking is off, so no jvm.native.memory meters; "
                  + "start the JVM with -XX:NativeMemoryTracking=summary to see native memory by category");
        }
        return;
      }
      first = NmtSummary.parse(output);
    } catch (RuntimeException e) {
      LOG.log(
          Level.WARNING,
          "cannot read native memory tracking (a HotSpot JVM is needed); "
              + "no jvm.native.memory meters",
          e);
      return;
    }
    sampler.seed(first);
    for (String category : first.categories()) {
      gauge(
          registry,
          "jvm.native.memory.reserved",
          category,
          NmtSummary::reserved,
          "Address space the JVM reserved for this NMT category; mostly not resident");
      gauge(
          registry,
          "jvm.native.memory.committed",
          category,
          NmtSummary::committed,
          "Memory the JVM committed for this NMT category: backed by RAM or swap once touched");
    }
  }

  private void gauge(
      MeterRegistry registry,
      String name,
      String category,
      ToLongBiFunction<NmtSummary, String> read,
      String description) {
    Gauge.builder(
            name,
            sampler,
            s -> {
              NmtSummary summary = s.summary();
              return summary.isEmpty() ? Double.NaN : read.applyAsLong(summary, category);
            })
        .description(description)
        .tags(tags)
        .tag("category", category)
        .baseUnit(BaseUnits.BYTES)
        .strongReference(true) // nothing else holds it: a weak reference would read NaN after a GC
        .register(registry);
  }

  /**
   * {@code VM.native_memory summary scale=b} through the MBean, so that no {@code
   * com.sun.management} class is needed.
   */
  static String runCommand() {
    try {
      Object output =
          ManagementFactory.getPlatformMBeanServer()
              .invoke(
                  new ObjectName("com.sun.management:type=DiagnosticCommand"),
                  "vmNativeMemory",
                  new Object[] {SUMMARY_IN_BYTES.clone()},
                  new String[] {String[].class.getName()});
      return String.valueOf(output);
    } catch (MalformedObjectNameException e) {
      throw new AssertionError(e);
    } catch (JMException e) {
      throw new IllegalStateException(
          "the DiagnosticCommand MBean could not run vmNativeMemory", e);
    }
  }
}
