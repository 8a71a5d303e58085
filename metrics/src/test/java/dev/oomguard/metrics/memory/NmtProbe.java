package dev.oomguard.metrics.memory;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Run in a forked JVM by {@link NativeMemoryMetricsForkTest}: binds {@link NativeMemoryMetrics} and
 * prints {@code name|category=value} for every gauge, then {@code meters=N}.
 */
final class NmtProbe {
  private NmtProbe() {}

  public static void main(String[] args) {
    MeterRegistry registry = new SimpleMeterRegistry();
    new NativeMemoryMetrics().bindTo(registry);
    for (Gauge gauge : registry.find("jvm.native.memory.reserved").gauges()) {
      print(gauge);
    }
    for (Gauge gauge : registry.find("jvm.native.memory.committed").gauges()) {
      print(gauge);
    }
    System.out.println("meters=" + registry.getMeters().size());
  }

  private static void print(Gauge gauge) {
    System.out.println(
        gauge.getId().getName()
            + "|"
            + gauge.getId().getTag("category")
            + "="
            + (long) gauge.value());
  }
}
