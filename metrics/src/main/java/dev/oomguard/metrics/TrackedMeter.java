package dev.oomguard.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.step.StepCounter;
import io.micrometer.core.instrument.step.StepDistributionSummary;
import io.micrometer.core.instrument.step.StepTimer;
import org.jspecify.annotations.Nullable;

/**
 * A meter the registry really holds, as the {@link SeriesLedger} counts it: its series, the tag
 * value slots it takes, and when its value last changed (for idle expiry). Immutable but for the
 * idle tracking, which only the one running sweep touches.
 */
final class TrackedMeter {
  final Meter meter;

  /** The id the guard returned for it; differs from the meter's when later filters rewrote it. */
  final Meter.Id view;

  final MeterNameState name;
  final int series;
  final boolean histogram;
  final boolean overflow;
  final TagValues.Slot[] slots;

  /** Set when the registry removed it, for lock-free readers holding on to it. */
  volatile boolean removed;

  private double lastValue;
  private long lastChangeNanos;

  TrackedMeter(
      Meter meter,
      Meter.Id view,
      MeterNameState name,
      int series,
      boolean histogram,
      boolean overflow,
      TagValues.Slot[] slots,
      long nowNanos) {
    this.meter = meter;
    this.view = view;
    this.name = name;
    this.series = series;
    this.histogram = histogram;
    this.overflow = overflow;
    this.slots = slots;
    this.lastValue = value(meter);
    this.lastChangeNanos = nowNanos;
  }

  /** Only meters that code looks up per use come back after removal; see the guard's javadoc. */
  static boolean isExpirableType(Meter meter) {
    return meter instanceof Counter
        || meter instanceof Timer
        || meter instanceof DistributionSummary;
  }

  /**
   * True if the meter has not been used for {@code idleNanos}; notes a use otherwise. A cumulative
   * meter was used when its count changed. A step meter's count is the last step's alone, so a
   * steady rate shows the same count step after step: it was used when that count is not zero.
   */
  boolean idleFor(long idleNanos, long nowNanos) {
    double value = value(meter);
    boolean used = isStep(meter) ? value != 0 : Double.compare(value, lastValue) != 0;
    if (used) {
      lastValue = value;
      lastChangeNanos = nowNanos;
      return false;
    }
    return nowNanos - lastChangeNanos >= idleNanos;
  }

  private static boolean isStep(Meter meter) {
    return meter instanceof StepCounter
        || meter instanceof StepTimer
        || meter instanceof StepDistributionSummary;
  }

  private static double value(@Nullable Meter meter) {
    if (meter instanceof Counter counter) {
      return counter.count();
    }
    if (meter instanceof Timer timer) {
      return timer.count();
    }
    if (meter instanceof DistributionSummary summary) {
      return summary.count();
    }
    return Double.NaN;
  }
}
