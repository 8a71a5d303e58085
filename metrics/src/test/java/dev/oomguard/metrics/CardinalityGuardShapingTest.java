package dev.oomguard.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a distribution meter keeps under budget pressure, counted as each registry exports it. */
class CardinalityGuardShapingTest {
  static final int OWN_SERIES = CardinalityGuardBudgetTest.OWN_SERIES;

  /** Three SLO buckets, +Inf, count, sum and max. */
  static final int SLO_SERIES = 3 + 1 + 3;

  private final List<CardinalityEvent> events = new ArrayList<>();

  private static DistributionSummary sloAndHistogram(MeterRegistry registry, String op) {
    return DistributionSummary.builder("payload")
        .tag("op", op)
        .serviceLevelObjectives(5, 50, 95)
        .publishPercentileHistogram()
        .register(registry);
  }

  private static double[] buckets(DistributionSummary summary) {
    return Arrays.stream(summary.takeSnapshot().histogramCounts())
        .mapToDouble(CountAtBucket::bucket)
        .toArray();
  }

  @Test
  void sloAndHistogram_underPressureOnPrometheus_keepsTheSloBuckets() {
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    CardinalityGuard guard =
        CardinalityGuard.builder().maxSeries(OWN_SERIES + 100).listener(events::add).build();
    guard.bindTo(prometheus);

    DistributionSummary summary = sloAndHistogram(prometheus, "a");
    summary.record(7);

    assertThat(buckets(summary)).containsExactly(5, 50, 95);
    assertThat(Scrape.of(prometheus).seriesOf("payload")).isEqualTo(SLO_SERIES);
    assertThat(guard.seriesUsed()).isEqualTo(Scrape.of(prometheus).series());
    assertThat(events)
        .containsExactly(
            new CardinalityEvent(CardinalityEvent.Kind.HISTOGRAM_DROPPED, "payload", null));
  }

  @Test
  void sloAndHistogram_withRoom_keepsEverything() {
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    CardinalityGuard guard = CardinalityGuard.builder().maxSeries(OWN_SERIES + 1_000).build();
    guard.bindTo(prometheus);

    DistributionSummary summary = sloAndHistogram(prometheus, "a");

    assertThat(buckets(summary)).hasSizeGreaterThan(200).contains(5.0, 50.0, 95.0);
    assertThat(guard.seriesUsed()).isEqualTo(Scrape.of(prometheus).series());
  }

  @Test
  void sloAndHistogram_onSimpleRegistry_isCountedAsItExportsAndKeptWhole() {
    SimpleMeterRegistry simple = new SimpleMeterRegistry();
    CardinalityGuard guard =
        CardinalityGuard.builder()
            .maxSeries(OWN_SERIES + 2 * SLO_SERIES)
            .listener(events::add)
            .build();
    guard.bindTo(simple);

    DistributionSummary summary = sloAndHistogram(simple, "a");

    // A SimpleMeterRegistry adds no percentile-histogram buckets: the summary's own snapshot has
    // the three SLO buckets, and that is all the guard counts and all the budget needs.
    assertThat(buckets(summary)).containsExactly(5, 50, 95);
    assertThat(guard.seriesUsed()).isEqualTo(OWN_SERIES + SLO_SERIES);
    assertThat(events).isEmpty();
  }

  @Test
  void laterMeterOfAName_onSimpleRegistry_mayHaveItsOwnShape() {
    SimpleMeterRegistry simple = new SimpleMeterRegistry();
    CardinalityGuard.builder().maxSeries(1_000).listener(events::add).build().bindTo(simple);

    Timer.builder("latency").tag("op", "a").register(simple);
    Timer b =
        Timer.builder("latency")
            .tag("op", "b")
            .serviceLevelObjectives(Duration.ofMillis(5))
            .register(simple);

    assertThat(b.takeSnapshot().histogramCounts()).hasSize(1);
    assertThat(events).isEmpty();
  }

  @Test
  void laterMeterOfAName_onPrometheus_takesTheNamesShapeAndSaysSo() {
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    CardinalityGuard guard =
        CardinalityGuard.builder().maxSeries(1_000).listener(events::add).build();
    guard.bindTo(prometheus);

    Timer.builder("latency").tag("op", "a").register(prometheus);
    Timer b =
        Timer.builder("latency")
            .tag("op", "b")
            .serviceLevelObjectives(Duration.ofMillis(5))
            .register(prometheus);

    assertThat(b.takeSnapshot().histogramCounts()).isEmpty();
    assertThat(events)
        .containsExactly(
            new CardinalityEvent(CardinalityEvent.Kind.HISTOGRAM_SHAPE, "latency", null));
    assertThat(
            prometheus
                .get(CardinalityGuard.HISTOGRAMS_DROPPED)
                .tag("reason", "shape")
                .functionCounter()
                .count())
        .isEqualTo(1.0);
    assertThat(
            prometheus
                .get(CardinalityGuard.HISTOGRAMS_DROPPED)
                .tag("reason", "series.budget")
                .functionCounter()
                .count())
        .isZero();
    assertThat(guard.seriesUsed()).isEqualTo(Scrape.of(prometheus).series());
  }

  @Test
  void sloAndHistogram_onACompositeWithPrometheus_countsWhatPrometheusExports() {
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    CompositeMeterRegistry composite = new CompositeMeterRegistry();
    composite.add(new SimpleMeterRegistry());
    composite.add(prometheus);
    CardinalityGuard guard = CardinalityGuard.builder().maxSeries(OWN_SERIES + 100).build();
    guard.bindTo(composite);

    sloAndHistogram(composite, "a").record(7);
    sloAndHistogram(composite, "b").record(70);

    assertThat(Scrape.of(prometheus).seriesOf("payload")).isEqualTo(2 * SLO_SERIES);
    assertThat(guard.seriesUsed()).isEqualTo(Scrape.of(prometheus).series());
  }
}
