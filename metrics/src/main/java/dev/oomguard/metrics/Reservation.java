package dev.oomguard.metrics;

import io.micrometer.core.instrument.Meter;
import org.jspecify.annotations.Nullable;

/**
 * Series and tag value slots held for one registration between the guard's {@code map} and the
 * registry's meter-added call, both on the registering thread. Fields change under the {@link
 * SeriesLedger}'s lock.
 */
final class Reservation {
  final Meter.Id view;
  final MeterNameState name;
  final boolean overflow;
  final TagValues.Slot[] slots;
  final long sinceNanos;
  int series;

  /** Neighbours in the ledger's list of reservations outstanding. */
  @Nullable Reservation previous;

  @Nullable Reservation next;

  /** Confirmed or released: the reservation holds nothing any more. */
  boolean done;

  /** What {@code configure} shaped a distribution meter to export; 0 if it was not called. */
  int configuredSeries;

  boolean configuredHistogram;

  /**
   * The configured meter's series if the registry exports percentile-histogram buckets, and if it
   * does not.
   */
  int ifAggregable;

  int ifNotAggregable;

  Reservation(
      Meter.Id view,
      MeterNameState name,
      boolean overflow,
      TagValues.Slot[] slots,
      int series,
      long sinceNanos) {
    this.view = view;
    this.name = name;
    this.overflow = overflow;
    this.slots = slots;
    this.series = series;
    this.sinceNanos = sinceNanos;
  }
}
