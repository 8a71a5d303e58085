package dev.oomguard.metrics.memory;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.testing.GcFinalization;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessMemoryMetricsTest {
  private static final double MIB = 1024 * 1024;

  @TempDir Path root;

  private final MeterRegistry registry = new SimpleMeterRegistry();

  private FakeLinux containerWithOneGib() {
    return new FakeLinux(root)
        .status(FakeLinux.STATUS)
        .meminfo(FakeLinux.MEMINFO)
        .cgroupV2("/app")
        .write("sys/fs/cgroup/app/memory.max", "1073741824\n")
        .write("sys/fs/cgroup/app/memory.current", "419430400\n");
  }

  @Test
  void bindTo_inAContainer_registersRssSwapLimitUsageAndHeadroom() {
    new ProcessMemoryMetrics(containerWithOneGib().memory(), Tags.empty()).bindTo(registry);

    assertThat(gauge("process.memory.rss")).isEqualTo(300 * MIB);
    assertThat(gauge("process.memory.rss.peak")).isEqualTo(412_344 * 1024.0);
    assertThat(gauge("process.memory.swap")).isEqualTo(2 * MIB);
    assertThat(gauge("container.memory.limit")).isEqualTo(1024 * MIB);
    assertThat(gauge("container.memory.usage")).isEqualTo(400 * MIB);
    assertThat(registry.get("process.memory.limit").tag("source", "container").gauge().value())
        .isEqualTo(1024 * MIB);
    assertThat(registry.get("process.memory.headroom").tag("source", "container").gauge().value())
        .isEqualTo(724 * MIB);
  }

  @Test
  void bindTo_withoutAContainerLimit_measuresHeadroomAgainstTheMachine() {
    FakeLinux linux =
        new FakeLinux(root)
            .status(FakeLinux.STATUS)
            .meminfo(FakeLinux.MEMINFO)
            .cgroupV2("/app")
            .write("sys/fs/cgroup/app/memory.max", "max\n");

    new ProcessMemoryMetrics(linux.memory(), Tags.empty()).bindTo(registry);

    assertThat(registry.find("container.memory.limit").gauge())
        .as("no limit, no limit gauge")
        .isNull();
    assertThat(registry.get("process.memory.limit").tag("source", "machine").gauge().value())
        .isEqualTo(2048 * MIB);
    assertThat(registry.get("process.memory.headroom").tag("source", "machine").gauge().value())
        .isEqualTo(1748 * MIB);
  }

  @Test
  void gauges_whenTheBinderIsNoLongerReferenced_stillReadAfterAGc() {
    new ProcessMemoryMetrics(containerWithOneGib().memory(), Tags.empty()).bindTo(registry);

    GcFinalization.awaitFullGc();

    assertThat(gauge("process.memory.rss")).isEqualTo(300 * MIB);
    assertThat(registry.get("process.memory.headroom").gauge().value()).isEqualTo(724 * MIB);
  }

  @Test
  void bindTo_withoutProc_registersNothing() {
    new ProcessMemoryMetrics(new FakeLinux(root).memory(), Tags.empty()).bindTo(registry);

    assertThat(registry.getMeters()).isEmpty();
  }

  @Test
  void bindTo_withoutSwapLine_registersNoSwapGauge() {
    new ProcessMemoryMetrics(
            new FakeLinux(root).status("VmRSS:\t1024 kB\nVmHWM:\t2048 kB\n").memory(), Tags.empty())
        .bindTo(registry);

    assertThat(registry.find("process.memory.swap").gauge()).isNull();
    assertThat(gauge("process.memory.rss")).isEqualTo(MIB);
  }

  @Test
  void gauges_readTheFilesAtEachScrape() {
    FakeLinux linux = containerWithOneGib();
    new ProcessMemoryMetrics(linux.memory(), Tags.empty()).bindTo(registry);

    linux.status("VmRSS:\t 921600 kB\n").write("sys/fs/cgroup/app/memory.max", "1610612736\n");

    assertThat(gauge("process.memory.rss")).isEqualTo(900 * MIB);
    assertThat(gauge("container.memory.limit"))
        .as("a resized container shows")
        .isEqualTo(1536 * MIB);
    assertThat(registry.get("process.memory.headroom").gauge().value()).isEqualTo(636 * MIB);
  }

  @Test
  void gauges_whenTheFileVanishes_readNaN() {
    FakeLinux linux = containerWithOneGib();
    new ProcessMemoryMetrics(linux.memory(), Tags.empty()).bindTo(registry);

    linux.delete("proc/self/status");

    assertThat(gauge("process.memory.rss")).isNaN();
    assertThat(registry.get("process.memory.headroom").gauge().value()).isNaN();
  }

  @Test
  void everyMeter_hasDescriptionBytesAndTheGivenTags() {
    new ProcessMemoryMetrics(containerWithOneGib().memory(), Tags.of("service", "images"))
        .bindTo(registry);

    assertThat(registry.getMeters()).hasSize(7);
    for (Meter meter : registry.getMeters()) {
      assertThat(meter.getId().getDescription()).as(meter.getId().getName()).isNotBlank();
      assertThat(meter.getId().getBaseUnit()).as(meter.getId().getName()).isEqualTo("bytes");
      assertThat(meter.getId().getTag("service")).as(meter.getId().getName()).isEqualTo("images");
    }
  }

  @Test
  void prometheusScrape_exportsTheHeadroomAndLimitForAnAlertRule() {
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new ProcessMemoryMetrics(containerWithOneGib().memory(), Tags.empty()).bindTo(prometheus);

    String scrape = prometheus.scrape();

    assertThat(scrape)
        .contains("process_memory_headroom_bytes{source=\"container\"} 7.59169024E8")
        .contains("process_memory_limit_bytes{source=\"container\"} 1.073741824E9")
        .contains("process_memory_rss_bytes 3.145728E8")
        .contains("container_memory_limit_bytes 1.073741824E9");
  }

  @Test
  void rss_ofThisProcess_growsWhenMemoryIsTouched() {
    new ProcessMemoryMetrics().bindTo(registry);
    double before = gauge("process.memory.rss");

    ByteBuffer touched =
        ByteBuffer.allocateDirect(128 * 1024 * 1024); // zeroed, so every page is resident
    double after = gauge("process.memory.rss");

    assertThat(before).isPositive();
    assertThat(after - before).as("RSS growth after touching 128 MiB").isGreaterThan(96 * MIB);
    assertThat(gauge("process.memory.rss.peak")).isGreaterThanOrEqualTo(after);
    assertThat(touched.capacity()).isPositive();
  }

  private double gauge(String name) {
    return registry.get(name).gauge().value();
  }
}
