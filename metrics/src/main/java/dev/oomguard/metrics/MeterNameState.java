package dev.oomguard.metrics;

import io.micrometer.core.instrument.Tag;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
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

  /** The overflow meter the last folded lookup of this name went to, for the next one to reuse. */
  volatile @Nullable FoldTarget lastFold;

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

  /**
   * The keys in the order they came, for lookups by the key's identity: tag keys are mostly
   * constants in code, so this saves hashing the key on every lookup. Copied on write.
   */
  private volatile TagValues[] ordered = new TagValues[0];

  // Identity first: code passes the same key constant on every lookup; the map answers the rest.
  @SuppressWarnings("ReferenceEquality")
  @Nullable TagValues valuesOrNull(String key) {
    for (TagValues values : ordered) {
      if (values.key == key) {
        return values;
      }
    }
    return keys.get(key);
  }

  /** Under the ledger's lock. */
  TagValues values(String key, ToIntBiFunction<String, String> cap) {
    TagValues values = valuesOrNull(key);
    if (values == null) {
      values = new TagValues(name, key, cap.applyAsInt(name, key));
      keys.put(key, values);
      if (ordered.length < 8) {
        TagValues[] more = Arrays.copyOf(ordered, ordered.length + 1);
        more[ordered.length] = values;
        ordered = more;
      }
    }
    return values;
  }

  Collection<TagValues> keys() {
    return keys.values();
  }

  /** A live overflow meter and its tags, as the guard's id has them. */
  static final class FoldTarget {
    final TrackedMeter meter;
    final Tag[] tags;

    FoldTarget(TrackedMeter meter) {
      this.meter = meter;
      List<Tag> tags = new ArrayList<>();
      meter.view.getTagsAsIterable().forEach(tags::add);
      this.tags = tags.toArray(new Tag[0]);
    }
  }
}
