package dev.oomguard.metrics;

import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.micrometer.core.instrument.distribution.HistogramSupport;
import java.util.NavigableSet;

/**
 * Exported series per meter, counted the way a Prometheus scrape shows them: a histogram exports
 * its finite buckets plus {@code +Inf}, then count, sum and max; without buckets, client-side
 * percentiles are one series each.
 */
final class Series {
  /** Count, sum and max of a timer, distribution summary or long task timer. */
  static final int DISTRIBUTION_BASE = 3;

  private Series() {}

  /** The fewest series a new meter of this type exports: what the budget reserves up front. */
  static int minimum(Meter.Type type) {
    return switch (type) {
      case TIMER, DISTRIBUTION_SUMMARY, LONG_TASK_TIMER -> DISTRIBUTION_BASE;
      default -> 1;
    };
  }

  /**
   * What a distribution meter built with {@code config} will export on a registry that does ({@code
   * aggregable}) or does not add percentile-histogram buckets: Prometheus does, a {@code
   * SimpleMeterRegistry} keeps only the service-level objectives as buckets.
   */
  static int predicted(DistributionStatisticConfig config, boolean aggregable) {
    DistributionStatisticConfig merged = config.merge(DistributionStatisticConfig.DEFAULT);
    long finite = finiteBuckets(merged, aggregable);
    if (finite > 0) {
      return DISTRIBUTION_BASE + (int) finite + 1;
    }
    double[] percentiles = merged.getPercentiles();
    return DISTRIBUTION_BASE + (percentiles == null ? 0 : percentiles.length);
  }

  /** True if a distribution meter built with {@code config} will export histogram buckets. */
  static boolean hasBuckets(DistributionStatisticConfig config, boolean aggregable) {
    return finiteBuckets(config.merge(DistributionStatisticConfig.DEFAULT), aggregable) > 0;
  }

  private static long finiteBuckets(DistributionStatisticConfig merged, boolean aggregable) {
    NavigableSet<Double> buckets = merged.getHistogramBuckets(aggregable);
    return buckets.stream().filter(Double::isFinite).count();
  }

  /** True if a registered meter exports histogram buckets. */
  static boolean hasBuckets(Meter meter) {
    return meter instanceof HistogramSupport histogram
        && histogram.takeSnapshot().histogramCounts().length > 0;
  }

  /** What a registered meter exports. */
  static int of(Meter meter) {
    if (meter.getId().syntheticAssociation() != null) {
      // Client-side percentile gauges of another meter, which counted them already.
      return 0;
    }
    if (meter instanceof HistogramSupport histogram) {
      HistogramSnapshot snapshot = histogram.takeSnapshot();
      int finite = 0;
      for (CountAtBucket bucket : snapshot.histogramCounts()) {
        if (Double.isFinite(bucket.bucket())) {
          finite++;
        }
      }
      return DISTRIBUTION_BASE + (finite > 0 ? finite + 1 : snapshot.percentileValues().length);
    }
    if (meter instanceof FunctionTimer) {
      return 2;
    }
    return switch (meter.getId().getType()) {
      case COUNTER, GAUGE -> 1;
      default -> {
        int measurements = 0;
        for (Measurement ignored : meter.measure()) {
          measurements++;
        }
        yield Math.max(1, measurements);
      }
    };
  }
}
