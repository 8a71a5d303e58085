package dev.oomguard.metrics;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A limit that a {@link CardinalityGuard} reached for the first time for one meter name (and tag
 * key). Each is told once, as it is logged; how often a limit bit since is in {@link
 * CardinalityGuard#report()} and the guard's meters.
 *
 * @param kind which limit
 * @param meterName the meter name that reached it
 * @param tagKey the tag key, for {@link Kind#TAG_VALUES}; null otherwise
 */
public record CardinalityEvent(Kind kind, String meterName, @Nullable String tagKey) {
  public CardinalityEvent {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(meterName, "meterName");
  }

  /** The limits. */
  public enum Kind {
    /**
     * A tag key had as many distinct values as its cap; new values fold into the overflow value.
     */
    TAG_VALUES,
    /** The series budget was full; new tag combinations of this meter fold into overflow. */
    SERIES_BUDGET,
    /**
     * The series budget had no room for a new meter's distribution as asked: its percentile
     * histogram went first, then what else did not fit.
     */
    HISTOGRAM_DROPPED,
    /**
     * A new meter took the shape (with or without histogram buckets) of its name's meters already
     * there, because the registry exports one shape per name (Prometheus).
     */
    HISTOGRAM_SHAPE
  }
}
