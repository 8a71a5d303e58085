package dev.oomguard.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The folding decision: which id a lookup gets. A tag value past its key's cap becomes the overflow
 * value; a new combination the series budget has no room for has every key that varies folded. A
 * lookup that folds onto a live meter, or finds its id live, takes no lock; one that needs a slot
 * or series reserves them in the {@link SeriesLedger} under its lock.
 */
final class Folding {
  /** How long a reservation waits for its meter before any thread may give it back. */
  static final Duration RESERVATION_TIMEOUT = Duration.ofSeconds(1);

  private final SeriesLedger ledger;
  private final GuardMeters meters;
  private final String overflowTagValue;

  Folding(SeriesLedger ledger, GuardMeters meters, String overflowTagValue) {
    this.ledger = ledger;
    this.meters = meters;
    this.overflowTagValue = overflowTagValue;
  }

  /**
   * The id for a lookup that needs no reservation: a value past its cap folding onto a live
   * overflow meter, or an id already live. Null when only {@link #decide} can tell.
   */
  Meter.@Nullable Id lockFree(Meter.Id id) {
    MeterNameState name = ledger.nameOrNull(id.getName());
    if (name == null) {
      return null;
    }
    // Micrometer maps every lookup of a folded value again (it caches only the id that created a
    // meter): the overflow meter of the last fold usually serves this one too. It is checked in the
    // same pass over the tags, so a lookup allocates no id.
    MeterNameState.FoldTarget target = name.lastFold;
    Tag[] expected = target == null || target.meter.removed ? null : target.tags;
    long capped = 0;
    TagValues firstCapped = null;
    int i = 0;
    for (Tag tag : id.getTagsAsIterable()) {
      String key = tag.getKey();
      String value = tag.getValue();
      String folded = value;
      if (!value.equals(overflowTagValue)) {
        TagValues values = name.valuesOrNull(key);
        if (values == null || i >= 64) {
          return null;
        }
        if (!values.contains(value)) {
          if (values.hasRoom()) {
            return null;
          }
          capped |= 1L << i;
          folded = overflowTagValue;
          if (firstCapped == null) {
            firstCapped = values;
          }
        }
      }
      if (expected != null
          && (i >= expected.length
              || !key.equals(expected[i].getKey())
              || !folded.equals(expected[i].getValue()))) {
        expected = null;
      }
      i++;
    }
    if (capped == 0 || expected == null || target == null || i != expected.length) {
      return null;
    }
    if (Long.bitCount(capped) == 1 && firstCapped != null) {
      meters.tagValuesFolded(firstCapped);
    } else {
      tellCapped(name, id, capped);
    }
    return target.meter.view;
  }

  /**
   * The id for a lookup that {@link #lockFree} could not answer; reserves what a new meter needs.
   */
  Meter.Id decide(Meter.Id id, long nowNanos) {
    MeterNameState name;
    long capped = 0;
    Meter.Id candidate;
    boolean budgetFolded = false;
    long seriesUsed;
    ledger.lock.lock();
    try {
      name = ledger.name(id.getName());
      // A value no live meter carries makes the combination new: no need to look it up.
      boolean newValue = false;
      boolean overflow = false;
      int i = 0;
      for (Tag tag : id.getTagsAsIterable()) {
        String value = tag.getValue();
        if (value.equals(overflowTagValue)) {
          overflow = true;
        } else if (i < 64) {
          TagValues values = ledger.values(name, tag.getKey());
          if (!values.contains(value)) {
            if (values.hasRoom()) {
              newValue = true;
            } else {
              capped |= 1L << i;
            }
          }
        }
        i++;
      }
      candidate = capped == 0 ? id : fold(id, capped);
      TrackedMeter known = newValue ? null : ledger.tracked(candidate);
      if (known != null && capped != 0) {
        name.lastFold = new MeterNameState.FoldTarget(known);
      }
      if (known == null) {
        overflow |= capped != 0;
        int cost =
            Math.max(Series.minimum(id.getType()), name.meters > 0 ? name.seriesPerMeter : 0);
        // Room for the name's overflow meter is kept beside its first meters, so that folding
        // stays possible when the budget runs out.
        long room = overflow || name.overflowMeters > 0 ? cost : 2L * cost;
        if (!ledger.fits(room)) {
          ledger.releaseOlderThan(RESERVATION_TIMEOUT.toNanos(), nowNanos);
        }
        if (!ledger.fits(room)) {
          candidate = foldForBudget(name, candidate);
          budgetFolded = true;
          overflow = ledger.hasOverflowValue(candidate);
        }
        if (!budgetFolded || !ledger.isKnown(candidate)) {
          ledger.reserve(candidate, name, overflow, cost, nowNanos);
        }
      }
      if (capped != 0 || budgetFolded) {
        name.folded = true;
      }
      seriesUsed = ledger.seriesLive();
    } finally {
      ledger.lock.unlock();
    }
    if (budgetFolded) {
      meters.budgetFolded(name, seriesUsed);
    } else if (capped != 0) {
      tellCapped(name, id, capped);
    }
    return candidate;
  }

  private void tellCapped(MeterNameState name, Meter.Id id, long capped) {
    int i = 0;
    for (Tag tag : id.getTagsAsIterable()) {
      if ((capped & 1L << i) != 0) {
        TagValues values = name.valuesOrNull(tag.getKey());
        if (values != null) {
          meters.tagValuesFolded(values);
        }
      }
      i++;
    }
  }

  /** The overflow value for the tags whose bit is set in {@code mask}. */
  private Meter.Id fold(Meter.Id id, long mask) {
    List<Tag> out = new ArrayList<>(8);
    int i = 0;
    for (Tag tag : id.getTagsAsIterable()) {
      out.add(i < 64 && (mask & 1L << i) != 0 ? Tag.of(tag.getKey(), overflowTagValue) : tag);
      i++;
    }
    return id.replaceTags(out);
  }

  /** Overflow for every tag key whose meters show values other than this one. Under the lock. */
  private Meter.Id foldForBudget(MeterNameState name, Meter.Id id) {
    List<Tag> out = new ArrayList<>(8);
    boolean changed = false;
    for (Tag tag : id.getTagsAsIterable()) {
      TagValues values = name.valuesOrNull(tag.getKey());
      if (!tag.getValue().equals(overflowTagValue)
          && (values == null || !values.isOnly(tag.getValue()))) {
        out.add(Tag.of(tag.getKey(), overflowTagValue));
        changed = true;
      } else {
        out.add(tag);
      }
    }
    return changed ? id.replaceTags(out) : id;
  }
}
