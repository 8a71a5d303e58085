package dev.oomguard.metrics.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class NativeMemoryMetricsTest {
  private static final Duration INTERVAL = Duration.ofSeconds(10);
  private static final String HEAP_128 =
      "Total: reserved=300, committed=200\n"
          + "-                 Java Heap (reserved=134217728, committed=134217728)\n";

  private final MeterRegistry registry = new SimpleMeterRegistry();
  private final AtomicLong clock = new AtomicLong();
  private final AtomicInteger runs = new AtomicInteger();
  private final AtomicReference<String> output = new AtomicReference<>(NmtSummaryTest.IN_BYTES);

  private NativeMemoryMetrics metrics() {
    return new NativeMemoryMetrics(
        () -> {
          runs.incrementAndGet();
          String answer = output.get();
          if (answer.equals("fail")) {
            throw new IllegalStateException("the command failed");
          }
          return answer;
        },
        clock::get,
        INTERVAL,
        Tags.empty());
  }

  @Test
  void bindTo_withNmtOn_registersReservedAndCommittedPerCategory() {
    metrics().bindTo(registry);

    assertThat(registry.find("jvm.native.memory.committed").gauges()).hasSize(21);
    assertThat(registry.find("jvm.native.memory.reserved").gauges()).hasSize(21);
    assertThat(committed("Java Heap")).isEqualTo(64.0 * 1024 * 1024);
    assertThat(registry.get("jvm.native.memory.reserved").tag("category", "Class").gauge().value())
        .isGreaterThan(committed("Class"));
  }

  @Test
  void bindTo_withNmtOff_registersNothing() {
    output.set("Native memory tracking is not enabled\n");

    metrics().bindTo(registry);

    assertThat(registry.getMeters()).isEmpty();
  }

  @Test
  void bindTo_whenTheCommandFails_registersNothing() {
    output.set("fail");

    metrics().bindTo(registry);

    assertThat(registry.getMeters()).isEmpty();
  }

  @Test
  void gauges_readWithinTheInterval_runTheCommandOnlyAtBind() {
    metrics().bindTo(registry);

    for (int scrape = 0; scrape < 5; scrape++) {
      scrape();
      clock.addAndGet(INTERVAL.toNanos() / 10);
    }

    assertThat(runs).as("42 gauges read 5 times in 0.5 interval").hasValue(1);
  }

  @Test
  void gauges_readAfterTheInterval_runTheCommandAgainAndShowItsNumbers() {
    metrics().bindTo(registry);
    output.set(HEAP_128);

    clock.addAndGet(INTERVAL.toNanos());
    scrape();

    assertThat(runs).hasValue(2);
    assertThat(committed("Java Heap")).isEqualTo(128.0 * 1024 * 1024);
    assertThat(committed("Thread")).as("a category the new summary omits").isZero();
  }

  @Test
  void gauges_whenALaterRunFails_readNaNUntilTheNextInterval() {
    metrics().bindTo(registry);
    output.set("fail");
    clock.addAndGet(INTERVAL.toNanos());

    assertThat(committed("Java Heap")).isNaN();
    assertThat(committed("Code")).isNaN();
    assertThat(runs).as("the failure is cached too").hasValue(2);

    output.set(HEAP_128);
    clock.addAndGet(INTERVAL.toNanos());
    assertThat(committed("Java Heap")).isEqualTo(128.0 * 1024 * 1024);
  }

  @Test
  void gauges_scrapedByRacingThreads_runTheCommandOncePerInterval() throws Exception {
    metrics().bindTo(registry);
    clock.addAndGet(
        INTERVAL.toNanos()); // the bind-time summary is stale: the race decides who refreshes
    List<Gauge> gauges = List.copyOf(registry.find("jvm.native.memory.committed").gauges());
    int threads = 8;
    CyclicBarrier start = new CyclicBarrier(threads);
    ExecutorService executor = Executors.newFixedThreadPool(threads);
    try {
      List<Callable<Double>> scrapes = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        scrapes.add(
            () -> {
              start.await(20, TimeUnit.SECONDS);
              double sum = 0;
              for (Gauge gauge : gauges) {
                sum += gauge.value();
              }
              return sum;
            });
      }
      List<Double> sums = new ArrayList<>();
      for (Future<Double> scrape : executor.invokeAll(scrapes)) {
        sums.add(scrape.get(20, TimeUnit.SECONDS));
      }

      assertThat(runs).as("one run at bind, one for all racing scrapes").hasValue(2);
      assertThat(sums).as("every scrape saw the same summary").containsOnly(sums.get(0));
    } finally {
      executor.shutdownNow();
    }
  }

  @Test
  void everyMeter_hasDescriptionBytesAndTheGivenTags() {
    new NativeMemoryMetrics(output::get, clock::get, INTERVAL, Tags.of("service", "images"))
        .bindTo(registry);

    assertThat(registry.getMeters()).isNotEmpty();
    for (Meter meter : registry.getMeters()) {
      assertThat(meter.getId().getDescription()).as(meter.getId().getName()).isNotBlank();
      assertThat(meter.getId().getBaseUnit()).as(meter.getId().getName()).isEqualTo("bytes");
      assertThat(meter.getId().getTag("service")).isEqualTo("images");
      assertThat(meter.getId().getTag("category")).isNotBlank();
    }
  }

  @Test
  void constructor_withAZeroInterval_throwsNamingIt() {
    assertThatThrownBy(() -> new NativeMemoryMetrics(Duration.ZERO, Tags.empty()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("refreshInterval")
        .hasMessageContaining("PT0S");
  }

  @Test
  void constructor_withANegativeInterval_throwsNamingIt() {
    assertThatThrownBy(() -> new NativeMemoryMetrics(Duration.ofSeconds(-1), Tags.empty()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("PT-1S");
  }

  /** Reads every value, as a scrape does: {@code measure()} alone reads nothing until asked. */
  private void scrape() {
    for (Meter meter : registry.getMeters()) {
      for (Measurement measurement : meter.measure()) {
        assertThat(measurement.getValue()).isNotNegative();
      }
    }
  }

  private double committed(String category) {
    return registry.get("jvm.native.memory.committed").tag("category", category).gauge().value();
  }
}
