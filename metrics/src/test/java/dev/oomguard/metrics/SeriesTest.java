package dev.oomguard.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.LongTaskTimer;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SeriesTest {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  static Stream<Arguments> meters() {
    return Stream.of(
        meter("counter", r -> r.counter("m")),
        meter("gauge", r -> Gauge.builder("m", () -> 1.0).register(r)),
        meter("timer", r -> Timer.builder("m").register(r)),
        meter(
            "timer with percentile histogram",
            r -> Timer.builder("m").publishPercentileHistogram().register(r)),
        meter(
            "summary with percentile histogram",
            r -> DistributionSummary.builder("m").publishPercentileHistogram().register(r)),
        meter(
            "timer with SLOs",
            r ->
                Timer.builder("m")
                    .serviceLevelObjectives(Duration.ofMillis(10), Duration.ofMillis(100))
                    .register(r)),
        meter(
            "timer with percentiles",
            r -> Timer.builder("m").publishPercentiles(0.5, 0.95, 0.99).register(r)),
        meter(
            "timer with histogram and percentiles",
            r ->
                Timer.builder("m")
                    .publishPercentileHistogram()
                    .publishPercentiles(0.5)
                    .register(r)),
        meter(
            "long task timer with histogram",
            r -> LongTaskTimer.builder("m").publishPercentileHistogram().register(r)),
        meter(
            "function timer",
            r -> FunctionTimer.builder("m", r, x -> 1L, x -> 1.0, TimeUnit.SECONDS).register(r)));
  }

  private static Arguments meter(
      String description, Function<PrometheusMeterRegistry, Meter> register) {
    return Arguments.of(description, register);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("meters")
  void of_equalsTheSeriesOfAPrometheusScrape(
      String description, Function<PrometheusMeterRegistry, Meter> register) {
    Meter meter = register.apply(registry);

    assertThat(Series.of(meter)).isEqualTo(Scrape.of(registry).series());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("distributions")
  void predicted_equalsWhatTheRegisteredMeterExports(
      String description, DistributionStatisticConfig config, boolean timer) {
    DistributionStatisticConfig[] seen = new DistributionStatisticConfig[1];
    registry
        .config()
        .meterFilter(
            new MeterFilter() {
              @Override
              public DistributionStatisticConfig configure(
                  Meter.Id id, DistributionStatisticConfig given) {
                seen[0] = given;
                return given;
              }
            });
    Meter meter =
        timer
            ? Timer.builder("m")
                .publishPercentileHistogram(config.isPercentileHistogram())
                .publishPercentiles(config.getPercentiles())
                .register(registry)
            : DistributionSummary.builder("m")
                .publishPercentileHistogram(config.isPercentileHistogram())
                .publishPercentiles(config.getPercentiles())
                .register(registry);

    assertThat(Series.predicted(seen[0], true))
        .isEqualTo(Series.of(meter))
        .isEqualTo(Scrape.of(registry).series());
  }

  static Stream<Arguments> distributions() {
    DistributionStatisticConfig histogram =
        DistributionStatisticConfig.builder()
            .percentilesHistogram(true)
            .percentiles(new double[0])
            .build();
    DistributionStatisticConfig percentiles =
        DistributionStatisticConfig.builder()
            .percentilesHistogram(false)
            .percentiles(0.5, 0.9)
            .build();
    return Stream.of(
        Arguments.of("timer with percentile histogram (72)", histogram, true),
        Arguments.of("summary with percentile histogram (279)", histogram, false),
        Arguments.of("timer with percentiles", percentiles, true),
        Arguments.of("summary with percentiles", percentiles, false));
  }
}
