package dev.oomguard.metrics;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToIntBiFunction;
import org.jspecify.annotations.Nullable;

/** What the guard keeps per meter name. Counts change under the {@link SeriesLedger}'s lock. */
final class MeterNameState {
  final String name;
  private final Map<String, TagValues> keys = new ConcurrentHashMap<>();
  final LongAdder budgetOverflows = new LongAdder();
  final AtomicBoolean budgetWarned = new AtomicBoolean();
  final AtomicBoolean histogramWarned = new AtomicBoolean();
  final AtomicBoolean shapeWarned = new AtomicBoolean();
  /** Set once a cap or the budget folded a registration of this name: its tags come from data. */
  volatile boolean folded;
  int meters;
  long series;
  /** Live meters of this name that carry the overflow value. */
  int overflowMeters;
  /** Live meters of this name that export histogram buckets. */
  int histogramMeters;
  /** Series of the last meter of this name registered: what a new one is expected to cost. */
  int seriesPerMeter;

  MeterNameState(String name) {
    this.name = name;
  }

  @Nullable TagValues valuesOrNull(String key) {
    return keys.get(key);
  }

  TagValues values(String key, ToIntBiFunction<String, String> cap) {
    TagValues values = keys.get(key);
    return values != null ? values : keys.computeIfAbsent(key, k -> new TagValues(name, k, cap.applyAsInt(name, k)));
  }

  Collection<TagValues> keys() {
    return keys.values();
  }
}
