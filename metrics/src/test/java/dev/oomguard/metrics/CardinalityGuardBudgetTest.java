package dev.oomguard.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CardinalityGuardBudgetTest {
  /** The guard's own meters: two gauges and five function counters. */
  static final int OWN_SERIES = 7;

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final List<CardinalityEvent> events = new ArrayList<>();

  @Test
  void configure_withoutRoomForAHistogram_registersTheNameWithCountSumAndMax() {
    CardinalityGuard.builder().maxSeries(OWN_SERIES + 100).build().bindTo(registry);

    Timer a =
        Timer.builder("latency").tag("op", "a").publishPercentileHistogram().register(registry);
    Timer b =
        Timer.builder("latency").tag("op", "b").publishPercentileHistogram().register(registry);
    b.record(Duration.ofMillis(3));

    assertThat(a.takeSnapshot().histogramCounts()).isEmpty();
    assertThat(b.takeSnapshot().histogramCounts()).isEmpty();
    assertThat(b.count()).isEqualTo(1);
    assertThat(Scrape.of(registry).seriesOf("latency_seconds")).isEqualTo(3 + 3);
  }

  @Test
  void configure_forALaterMeterOfANameWithoutHistogram_dropsItsHistogramToo() {
    CardinalityGuard.builder().maxSeries(OWN_SERIES + 200).build().bindTo(registry);
    List<Counter> fillers = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      fillers.add(registry.counter("filler", "i", "" + i));
    }
    Timer.builder("latency").tag("op", "a").publishPercentileHistogram().register(registry);
    fillers.forEach(registry::remove);

    Timer b =
        Timer.builder("latency").tag("op", "b").publishPercentileHistogram().register(registry);

    assertThat(b.takeSnapshot().histogramCounts()).isEmpty();
    assertThat(Scrape.of(registry).seriesOf("latency_seconds")).isEqualTo(3 + 3);
  }

  @Test
  void configure_droppingAHistogram_isCountedAndToldOnce() {
    CardinalityGuard.builder()
        .maxSeries(OWN_SERIES + 100)
        .listener(events::add)
        .build()
        .bindTo(registry);

    for (String op : List.of("a", "b", "c")) {
      Timer.builder("latency").tag("op", op).publishPercentileHistogram().register(registry);
    }

    assertThat(
            registry
                .get(CardinalityGuard.HISTOGRAMS_DROPPED)
                .tag("reason", "series.budget")
                .functionCounter()
                .count())
        .isEqualTo(3.0);
    assertThat(events)
        .containsExactly(
            new CardinalityEvent(CardinalityEvent.Kind.HISTOGRAM_DROPPED, "latency", null));
  }

  @Test
  void map_whenTheBudgetIsFull_foldsNewCombinationsIntoOverflow() {
    CardinalityGuard.builder()
        .maxTagValues(1_000)
        .maxSeries(OWN_SERIES + 10)
        .build()
        .bindTo(registry);

    for (int i = 0; i < 50; i++) {
      registry.counter("orders", "customer", "c" + i).increment();
    }

    assertThat(registry.find("orders").counters()).hasSize(10);
    assertThat(registry.get("orders").tag("customer", "OVERFLOW").counter().count())
        .isEqualTo(41.0);
    assertThat(Scrape.of(registry).series()).isEqualTo(OWN_SERIES + 10);
  }

  @Test
  void map_whenTheBudgetIsFull_keepsRegisteredMetersWorking() {
    CardinalityGuard.builder()
        .maxTagValues(1_000)
        .maxSeries(OWN_SERIES + 3)
        .build()
        .bindTo(registry);
    Counter first = registry.counter("orders", "customer", "first");
    for (int i = 0; i < 10; i++) {
      registry.counter("orders", "customer", "c" + i).increment();
    }

    registry.counter("orders", "customer", "first").increment(5);

    assertThat(registry.counter("orders", "customer", "first")).isSameAs(first);
    assertThat(first.count()).isEqualTo(5.0);
  }

  @Test
  void map_whenTheBudgetIsFull_keepsTagsWithASingleValue() {
    SimpleMeterRegistry simple = new SimpleMeterRegistry();
    simple.config().commonTags("app", "shop");
    CardinalityGuard.builder().maxTagValues(1_000).maxSeries(OWN_SERIES + 5).build().bindTo(simple);

    for (int i = 0; i < 20; i++) {
      simple.counter("orders", "customer", "c" + i, "region", "eu").increment();
    }

    assertThat(
            simple
                .get("orders")
                .tags("app", "shop", "region", "eu", "customer", "OVERFLOW")
                .counter()
                .count())
        .isEqualTo(16.0);
  }

  @Test
  void map_foldingForTheBudget_isCountedAndToldOnce() {
    CardinalityGuard.builder()
        .maxTagValues(1_000)
        .maxSeries(OWN_SERIES + 4)
        .listener(events::add)
        .build()
        .bindTo(registry);

    for (int i = 0; i < 10; i++) {
      registry.counter("orders", "customer", "c" + i);
    }

    assertThat(
            registry
                .get(CardinalityGuard.OVERFLOWS)
                .tag("limit", "series.budget")
                .functionCounter()
                .count())
        .isEqualTo(7.0);
    assertThat(events)
        .containsExactly(new CardinalityEvent(CardinalityEvent.Kind.SERIES_BUDGET, "orders", null));
  }

  @Test
  void seriesUsed_matchesThePrometheusScrape() {
    CardinalityGuard guard = CardinalityGuard.builder().maxSeries(1_000).build();
    guard.bindTo(registry);

    registry.counter("orders", "customer", "a");
    Timer.builder("latency").publishPercentileHistogram().register(registry);
    Timer.builder("latency.slo").serviceLevelObjectives(Duration.ofMillis(5)).register(registry);
    registry.gauge("queue", List.of(), new ArrayList<>(), List::size);

    assertThat(guard.report().seriesUsed()).isEqualTo(Scrape.of(registry).series());
  }
}
