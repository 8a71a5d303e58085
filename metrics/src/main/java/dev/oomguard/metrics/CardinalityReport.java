package dev.oomguard.metrics;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link CardinalityGuard} saw, taken at one moment: the series in use against the budget,
 * every meter name with its series and tag keys, and every limit that folded registrations into the
 * overflow value, with how often. Immutable.
 */
public final class CardinalityReport {
  private final long seriesUsed;
  private final long maxSeries;
  private final long histogramsDropped;
  private final long metersExpired;
  private final List<MeterName> meterNames;
  private final List<Overflow> overflows;

  CardinalityReport(
      long seriesUsed,
      long maxSeries,
      long histogramsDropped,
      long metersExpired,
      List<MeterName> meterNames,
      List<Overflow> overflows) {
    this.seriesUsed = seriesUsed;
    this.maxSeries = maxSeries;
    this.histogramsDropped = histogramsDropped;
    this.metersExpired = metersExpired;
    this.meterNames = List.copyOf(meterNames);
    this.overflows = List.copyOf(overflows);
  }

  /** Series the registry exports now, as a Prometheus scrape counts them. */
  public long seriesUsed() {
    return seriesUsed;
  }

  public long maxSeries() {
    return maxSeries;
  }

  /** Meters registered without the histogram they asked for, for lack of budget. */
  public long histogramsDropped() {
    return histogramsDropped;
  }

  /** Meters removed because their value had not changed for the idle time. */
  public long metersExpired() {
    return metersExpired;
  }

  /** Every meter name with live meters, the most series first. */
  public List<MeterName> meterNames() {
    return meterNames;
  }

  /** Every limit that folded registrations into the overflow value, the most often first. */
  public List<Overflow> overflows() {
    return overflows;
  }

  /** Registrations folded into the overflow value, by every limit together. */
  public long overflowCount() {
    return overflows.stream().mapToLong(Overflow::count).sum();
  }

  @Override
  public String toString() {
    StringBuilder out =
        new StringBuilder()
            .append("series ")
            .append(seriesUsed)
            .append(" of ")
            .append(maxSeries)
            .append(", histograms dropped ")
            .append(histogramsDropped)
            .append(", meters expired ")
            .append(metersExpired)
            .append('\n');
    for (MeterName name : meterNames) {
      out.append("  ")
          .append(name.name())
          .append(": ")
          .append(name.series())
          .append(" series in ")
          .append(name.meters())
          .append(" meters");
      for (TagKey key : name.tagKeys()) {
        out.append(", ")
            .append(key.key())
            .append(' ')
            .append(key.distinctValues())
            .append('/')
            .append(key.maxValues());
      }
      out.append('\n');
    }
    for (Overflow overflow : overflows) {
      out.append("  overflow ")
          .append(overflow.meterName())
          .append(overflow.tagKey() == null ? " (series budget)" : " tag " + overflow.tagKey())
          .append(": ")
          .append(overflow.count())
          .append('\n');
    }
    return out.toString();
  }

  /**
   * One meter name.
   *
   * @param name the meter name
   * @param meters live meters of that name (tag combinations)
   * @param series the series they export
   * @param tagKeys their tag keys, the most distinct values first
   */
  public record MeterName(String name, int meters, long series, List<TagKey> tagKeys) {
    public MeterName {
      Objects.requireNonNull(name, "name");
      tagKeys = List.copyOf(tagKeys);
    }
  }

  /**
   * One tag key of one meter name.
   *
   * @param key the tag key
   * @param distinctValues values live meters carry now, the overflow value not included
   * @param maxValues the cap on distinct values
   */
  public record TagKey(String key, int distinctValues, int maxValues) {
    public TagKey {
      Objects.requireNonNull(key, "key");
    }
  }

  /**
   * A limit that folded registrations into the overflow value.
   *
   * @param meterName the meter name
   * @param tagKey the capped tag key, or null when the series budget folded them
   * @param count registrations (meter lookups) folded so far
   */
  public record Overflow(String meterName, @Nullable String tagKey, long count) {
    public Overflow {
      Objects.requireNonNull(meterName, "meterName");
    }
  }
}
