package dev.oomguard.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;

/** A live meter: its series, and when its value last changed (for idle expiry). */
final class TrackedMeter {
  final Meter meter;
  final int series;
  /** Only meters that code looks up per use come back after removal; see the guard's javadoc. */
  final boolean expirable;
  final boolean histogram;
  private double lastValue;
  private long lastChangeNanos;

  TrackedMeter(Meter meter, int series, boolean expirable, boolean histogram, long nowNanos) {
    this.meter = meter;
    this.series = series;
    this.expirable = expirable;
    this.histogram = histogram;
    this.lastValue = value(meter);
    this.lastChangeNanos = nowNanos;
  }

  static boolean isExpirableType(Meter meter) {
    return meter instanceof Counter || meter instanceof Timer || meter instanceof DistributionSummary;
  }

  /** True if the value has not changed for {@code idleNanos}; notes a change otherwise. */
  boolean idleFor(long idleNanos, long nowNanos) {
    double value = value(meter);
    if (Double.compare(value, lastValue) != 0) {
      lastValue = value;
      lastChangeNanos = nowNanos;
      return false;
    }
    return nowNanos - lastChangeNanos >= idleNanos;
  }

  private static double value(Meter meter) {
    if (meter instanceof Counter) {
      return ((Counter) meter).count();
    }
    if (meter instanceof Timer) {
      return ((Timer) meter).count();
    }
    if (meter instanceof DistributionSummary) {
      return ((DistributionSummary) meter).count();
    }
    return Double.NaN;
  }
}
