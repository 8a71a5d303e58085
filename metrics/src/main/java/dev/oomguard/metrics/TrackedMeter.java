package dev.oomguard.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.step.StepCounter;
import io.micrometer.core.instrument.step.StepDistributionSummary;
import io.micrometer.core.instrument.step.StepTimer;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A meter id the guard counts: reserved from its lookup until its meter is registered, then live
 * with its series and when its value last changed (for idle expiry). One entry for both, so a
 * registration moves no map entry. Fields change under the guard's lock.
 */
final class TrackedMeter {
  /** Null while reserved. */
  @Nullable Meter meter;
  /** Series the budget holds for it: predicted while reserved, counted once live. */
  int series;
  /** Only meters that code looks up per use come back after removal; see the guard's javadoc. */
  boolean expirable;
  boolean histogram;
  /** What the guard configured a distribution meter to export, 0 if it did not configure it. */
  int configuredSeries;
  boolean configuredHistogram;
  private double lastValue;
  private long lastChangeNanos;
  /** While reserved: since when, and the tag value slots taken for it, given back if its meter never comes. */
  final long reservedNanos;
  private final List<TagValues> admitted;
  private final List<String> admittedValues;

  private TrackedMeter(int series, long reservedNanos, List<TagValues> admitted, List<String> admittedValues) {
    this.series = series;
    this.reservedNanos = reservedNanos;
    this.admitted = admitted;
    this.admittedValues = admittedValues;
  }

  static TrackedMeter reserved(int series, long nowNanos, List<TagValues> admitted, List<String> admittedValues) {
    return new TrackedMeter(series, nowNanos, admitted, admittedValues);
  }

  /** A meter registered without a reservation (before the guard was bound, or the guard's own). */
  static TrackedMeter unreserved() {
    return new TrackedMeter(0, 0, List.of(), List.of());
  }

  boolean isReserved() {
    return meter == null;
  }

  void registered(Meter meter, int series, boolean expirable, boolean histogram, long nowNanos) {
    this.meter = meter;
    this.series = series;
    this.expirable = expirable;
    this.histogram = histogram;
    this.lastValue = value(meter);
    this.lastChangeNanos = nowNanos;
  }

  /** Gives back the tag value slots of a reservation whose meter never came. */
  void withdraw() {
    for (int i = 0; i < admitted.size(); i++) {
      admitted.get(i).withdraw(admittedValues.get(i));
    }
  }

  static boolean isExpirableType(Meter meter) {
    return meter instanceof Counter || meter instanceof Timer || meter instanceof DistributionSummary;
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

  private static boolean isStep(@Nullable Meter meter) {
    return meter instanceof StepCounter || meter instanceof StepTimer || meter instanceof StepDistributionSummary;
  }

  private static double value(@Nullable Meter meter) {
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
