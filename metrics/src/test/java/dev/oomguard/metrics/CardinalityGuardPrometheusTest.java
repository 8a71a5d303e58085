package dev.oomguard.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Incident 4 replayed: 8,000 distinct {@code uri} values on a timer with a percentile histogram.
 */
class CardinalityGuardPrometheusTest {
  static final int URIS = 8_000;
  static final int MAX_SERIES = 2_000;

  private final PrometheusMeterRegistry prometheus =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  private static void serveEveryUri(MeterRegistry registry) {
    for (int i = 0; i < URIS; i++) {
      Timer.builder("http.server.requests")
          .tags("method", "GET", "uri", "/items/" + i)
          .publishPercentileHistogram()
          .register(registry)
          .record(Duration.ofMillis(5));
    }
  }

  private static CardinalityGuard guard() {
    return CardinalityGuard.builder().maxTagValues(URIS).maxSeries(MAX_SERIES).build();
  }

  @Test
  void scrape_unguarded_growsByAHistogramPerUri() {
    serveEveryUri(prometheus);

    assertThat(Scrape.of(prometheus).series()).isEqualTo(72 * URIS);
  }

  @Test
  void scrape_guarded_staysWithinTheSeriesBudget() {
    guard().bindTo(prometheus);

    serveEveryUri(prometheus);

    assertThat(Scrape.of(prometheus).series()).isLessThanOrEqualTo(MAX_SERIES);
  }

  @Test
  void scrape_guarded_hasTheOverflowSeries() {
    guard().bindTo(prometheus);

    serveEveryUri(prometheus);

    assertThat(Scrape.of(prometheus).samples("http_server_requests_seconds_count"))
        .anyMatch(line -> line.contains("uri=\"OVERFLOW\"") && line.contains("method=\"GET\""));
  }

  @Test
  void scrape_guarded_countsEveryRequest() {
    guard().bindTo(prometheus);

    serveEveryUri(prometheus);

    assertThat(Scrape.of(prometheus).sum("http_server_requests_seconds_count")).isEqualTo(URIS);
  }

  @Test
  void seriesUsed_guarded_equalsTheScrape() {
    CardinalityGuard guard = guard();
    guard.bindTo(prometheus);

    serveEveryUri(prometheus);

    assertThat(guard.report().seriesUsed()).isEqualTo(Scrape.of(prometheus).series());
  }

  @Test
  void bindTo_composite_keepsItsPrometheusChildWithinBudgetWithExactTotals() {
    CompositeMeterRegistry composite = new CompositeMeterRegistry();
    composite.add(prometheus);
    composite.add(new SimpleMeterRegistry());
    guard().bindTo(composite);

    serveEveryUri(composite);

    Scrape scrape = Scrape.of(prometheus);
    assertThat(scrape.series()).isLessThanOrEqualTo(MAX_SERIES);
    assertThat(scrape.sum("http_server_requests_seconds_count")).isEqualTo(URIS);
  }
}
