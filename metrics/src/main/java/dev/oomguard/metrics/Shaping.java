package dev.oomguard.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * What a new timer or distribution summary may export. Under budget pressure the percentile
 * histogram goes first, then client-side percentiles, then service-level objectives: the first
 * shape that fits is kept. Series are predicted as the bound registry exports them, and where the
 * registry needs every meter of a name to share a shape (Prometheus: a name is a histogram or a
 * summary, never both) only shapes of the name's existing meters are offered.
 */
final class Shaping {
  private static final DistributionStatisticConfig NO_PERCENTILE_HISTOGRAM =
      DistributionStatisticConfig.builder().percentilesHistogram(false).build();
  private static final DistributionStatisticConfig SLOS_ONLY =
      DistributionStatisticConfig.builder()
          .percentilesHistogram(false)
          .percentiles(new double[0])
          .build();
  private static final DistributionStatisticConfig BASE =
      DistributionStatisticConfig.builder()
          .percentilesHistogram(false)
          .percentiles(new double[0])
          .serviceLevelObjectives(new double[0])
          .build();

  private final SeriesLedger ledger;
  private final GuardMeters meters;
  private final MeterRegistry registry;

  /** True if the registry adds percentile-histogram buckets; learned from the meters it makes. */
  private volatile boolean aggregable;

  private final boolean learns;

  Shaping(SeriesLedger ledger, GuardMeters meters, MeterRegistry registry) {
    this.ledger = ledger;
    this.meters = meters;
    this.registry = registry;
    this.aggregable = !(registry instanceof SimpleMeterRegistry);
    this.learns = !(registry instanceof CompositeMeterRegistry);
  }

  /** True if meters of this registry count by their configuration, not by their own snapshot. */
  boolean countsConfigured() {
    return !learns;
  }

  DistributionStatisticConfig configure(DistributionStatisticConfig config) {
    Reservation reservation = ledger.own();
    if (reservation == null) {
      return config;
    }
    boolean aggregable = this.aggregable;
    int asked = Series.predicted(config, aggregable);
    DistributionStatisticConfig[] shapes =
        asked <= Series.DISTRIBUTION_BASE
            ? new DistributionStatisticConfig[] {config}
            : new DistributionStatisticConfig[] {
              config,
              NO_PERCENTILE_HISTOGRAM.merge(config),
              SLOS_ONLY.merge(config),
              BASE.merge(config)
            };
    DistributionStatisticConfig chosen = null;
    boolean shortOfBudget = false;
    boolean shapeBound = false;
    boolean histogramShape;
    long seriesUsed;
    MeterNameState name = reservation.name;
    ledger.lock.lock();
    try {
      boolean uniform = name.meters > 0 && needsUniformShape(registry);
      histogramShape = name.histogramMeters > 0;
      DistributionStatisticConfig last = null;
      for (DistributionStatisticConfig shape : shapes) {
        int cost = Series.predicted(shape, aggregable);
        long room = reservation.overflow || name.overflowMeters > 0 ? cost : 2L * cost;
        boolean fits = ledger.fitsInstead(reservation, room);
        if (uniform && Series.hasBuckets(shape, aggregable) != histogramShape) {
          // Told as the shape rule only when the budget had room for what was asked.
          if (shape == config) {
            shapeBound = fits;
            shortOfBudget = !fits;
          }
          continue;
        }
        last = shape;
        if (fits || shape == shapes[shapes.length - 1]) {
          chosen = shape;
          break;
        }
        shortOfBudget = true;
      }
      if (chosen == null) {
        // Only the shapes of the name's meters are allowed and none fits: the smallest of them
        // (the lookup's fold already made room for a meter like the others).
        chosen = last != null ? last : config;
      }
      int series = Series.predicted(chosen, aggregable);
      ledger.resize(reservation, series);
      reservation.configuredSeries = series;
      reservation.configuredHistogram = Series.hasBuckets(chosen, aggregable);
      reservation.ifAggregable = Series.predicted(chosen, true);
      reservation.ifNotAggregable = Series.predicted(chosen, false);
      seriesUsed = ledger.seriesLive();
    } finally {
      ledger.lock.unlock();
    }
    if (chosen != config) {
      if (shapeBound) {
        meters.histogramDroppedForShape(name, histogramShape);
      } else if (shortOfBudget) {
        meters.histogramDroppedForBudget(name, asked, reservation.configuredSeries, seriesUsed);
      }
    }
    return chosen;
  }

  /** Learns from a meter the registry made whether it adds percentile-histogram buckets. */
  void learn(Reservation reservation, Meter meter) {
    if (learns
        && reservation.configuredSeries > 0
        && reservation.ifAggregable != reservation.ifNotAggregable) {
      int actual = Series.of(meter);
      if (actual == reservation.ifNotAggregable) {
        aggregable = false;
      } else if (actual == reservation.ifAggregable) {
        aggregable = true;
      }
    }
  }

  /** Prometheus, alone or as a composite's child, exports one shape per meter name. */
  static boolean needsUniformShape(MeterRegistry registry) {
    if (registry instanceof CompositeMeterRegistry composite) {
      for (MeterRegistry child : composite.getRegistries()) {
        if (needsUniformShape(child)) {
          return true;
        }
      }
      return false;
    }
    for (Class<?> type = registry.getClass(); type != null; type = type.getSuperclass()) {
      if (type.getSimpleName().equals("PrometheusMeterRegistry")) {
        return true;
      }
    }
    return false;
  }
}
