package dev.oomguard.spring.boot;

import dev.oomguard.metrics.memory.ProcessMemoryMetrics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.util.unit.DataSize;

/**
 * How far resident memory is from the limit the OOM killer acts at. Below {@code
 * oomguard.memory.min-headroom} of the limit it reports {@code oomguard.memory.health-status}
 * (OUT_OF_SERVICE by default, so a readiness probe takes traffic away before the kill); UP
 * otherwise, with the numbers. UNKNOWN where the process's memory cannot be read (not Linux).
 */
final class MemoryHeadroomHealthIndicator implements HealthIndicator {
  private final MemoryGuardProperties properties;

  /** The process meters read into a registry of its own, so the indicator needs no other. */
  private final MeterRegistry readings = new SimpleMeterRegistry();

  MemoryHeadroomHealthIndicator(MemoryGuardProperties properties) {
    this.properties = properties;
    new ProcessMemoryMetrics().bindTo(readings);
  }

  @Override
  public Health health() {
    double rss = read("process.memory.rss");
    DataSize configured = properties.getLimit();
    double limit = configured != null ? configured.toBytes() : read("process.memory.limit");
    if (Double.isNaN(rss) || Double.isNaN(limit) || limit <= 0) {
      return Health.unknown()
          .withDetail("reason", "the process's resident memory or its limit cannot be read")
          .build();
    }
    long headroom = (long) (limit - rss);
    double share = headroom / limit;
    Health.Builder health =
        share < properties.getMinHeadroom()
            ? Health.status(
                new Status(properties.getHealthStatus().toUpperCase(java.util.Locale.ROOT)))
            : Health.up();
    return health
        .withDetail("rssBytes", (long) rss)
        .withDetail("limitBytes", (long) limit)
        .withDetail("limitSource", configured != null ? "oomguard.memory.limit" : source())
        .withDetail("headroomBytes", headroom)
        .withDetail("headroom", Math.round(share * 1000) / 1000.0)
        .withDetail("minHeadroom", properties.getMinHeadroom())
        .build();
  }

  private double read(String name) {
    Gauge gauge = readings.find(name).gauge();
    return gauge == null ? Double.NaN : gauge.value();
  }

  private String source() {
    Gauge gauge = readings.find("process.memory.limit").gauge();
    String source = gauge == null ? null : gauge.getId().getTag("source");
    return source == null ? "unknown" : source;
  }
}
