package dev.oomguard.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

class CardinalityGuardReportTest {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final CardinalityGuard guard =
      CardinalityGuard.builder().maxTagValues(5).maxSeries(5_000).build();

  CardinalityGuardReportTest() {
    guard.bindTo(registry);
  }

  @Test
  void meterNames_areRankedBySeries() {
    for (int i = 0; i < 3; i++) {
      Timer.builder("latency").tag("op", "" + i).publishPercentileHistogram().register(registry);
    }
    for (int i = 0; i < 5; i++) {
      registry.counter("orders", "customer", "" + i);
    }
    registry.counter("logins");

    assertThat(guard.report().meterNames())
        .extracting(CardinalityReport.MeterName::name)
        .startsWith(
            "latency", "orders", CardinalityGuard.HISTOGRAMS_DROPPED, CardinalityGuard.OVERFLOWS)
        .endsWith("logins");
    assertThat(guard.report().meterNames().get(0).series()).isEqualTo(3 * 72);
  }

  @Test
  void tagKeys_areRankedByDistinctValues() {
    for (int i = 0; i < 4; i++) {
      registry.counter("orders", "customer", "c" + i, "region", "r" + i % 2, "app", "shop");
    }

    CardinalityReport.MeterName orders =
        guard.report().meterNames().stream()
            .filter(name -> name.name().equals("orders"))
            .findFirst()
            .orElseThrow();

    assertThat(orders.tagKeys())
        .containsExactly(
            new CardinalityReport.TagKey("customer", 4, 5),
            new CardinalityReport.TagKey("region", 2, 5),
            new CardinalityReport.TagKey("app", 1, 5));
  }

  @Test
  void overflows_nameEveryOffenderRankedByHowOften() {
    for (int i = 0; i < 20; i++) {
      registry.counter("orders", "customer", "c" + i);
    }
    for (int i = 0; i < 8; i++) {
      registry.counter("refunds", "reason", "r" + i);
    }
    for (int i = 0; i < 12; i++) {
      registry.counter("payments", "card", "p" + i);
    }

    assertThat(guard.report().overflows())
        .containsExactly(
            new CardinalityReport.Overflow("orders", "customer", 15),
            new CardinalityReport.Overflow("payments", "card", 7),
            new CardinalityReport.Overflow("refunds", "reason", 3));
  }

  @Test
  void toString_namesTheOffenders() {
    for (int i = 0; i < 7; i++) {
      registry.counter("orders", "customer", "c" + i);
    }

    assertThat(guard.report().toString())
        .contains("orders: 6 series in 6 meters, customer 5/5", "overflow orders tag customer: 2");
  }

  @Test
  void ownMeters_showSeriesInUseAgainstTheBudget() {
    registry.counter("orders");

    CardinalityReport report = guard.report();

    assertThat(registry.get(CardinalityGuard.SERIES_USED).gauge().value())
        .isEqualTo(report.seriesUsed());
    assertThat(registry.get(CardinalityGuard.SERIES_MAX).gauge().value()).isEqualTo(5_000);
    assertThat(report.seriesUsed()).isEqualTo(Scrape.of(registry).series());
  }
}
