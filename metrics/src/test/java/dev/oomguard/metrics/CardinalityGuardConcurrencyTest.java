package dev.oomguard.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CardinalityGuardConcurrencyTest {
  static final int THREADS = 8;
  static final int VALUES_PER_THREAD = 2_000;

  private final MeterRegistry registry = new SimpleMeterRegistry();
  private final ExecutorService pool = Executors.newFixedThreadPool(THREADS);

  @AfterEach
  void stopPool() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
  }

  /** Every thread registers its own values and some shared ones, all released at once. */
  private void race() throws Exception {
    CyclicBarrier start = new CyclicBarrier(THREADS);
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int thread = t;
      done.add(
          pool.submit(
              () -> {
                start.await();
                for (int i = 0; i < VALUES_PER_THREAD; i++) {
                  String value = i % 2 == 0 ? "shared-" + i : "t" + thread + "-" + i;
                  registry.counter("orders", "customer", value, "region", "r" + i % 97).increment();
                }
                return null;
              }));
    }
    for (Future<?> future : done) {
      future.get(60, TimeUnit.SECONDS);
    }
  }

  @Test
  void map_underARegistrationRace_neverExceedsTheCaps() throws Exception {
    CardinalityGuard.builder().maxTagValues(50).maxSeries(100_000).build().bindTo(registry);

    race();

    assertThat(values("customer")).hasSize(50 + 1).contains("OVERFLOW");
    assertThat(values("region")).hasSize(50 + 1).contains("OVERFLOW");
  }

  @Test
  void map_underARegistrationRace_neverExceedsTheSeriesBudget() throws Exception {
    CardinalityGuard guard = CardinalityGuard.builder().maxTagValues(10_000).maxSeries(300).build();
    guard.bindTo(registry);

    race();

    assertThat(registry.getMeters()).hasSizeLessThanOrEqualTo(300);
    assertThat(guard.report().seriesUsed()).isLessThanOrEqualTo(300);
  }

  @Test
  void map_underARegistrationRace_losesNoIncrement() throws Exception {
    CardinalityGuard.builder().maxTagValues(50).maxSeries(500).build().bindTo(registry);

    race();

    assertThat(registry.find("orders").counters().stream().mapToDouble(Counter::count).sum())
        .isEqualTo(THREADS * VALUES_PER_THREAD);
  }

  private Set<String> values(String key) {
    return registry.find("orders").meters().stream()
        .map(Meter::getId)
        .map(id -> id.getTag(key))
        .collect(Collectors.toSet());
  }
}
