package dev.oomguard.metrics;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Keeps the series of one Micrometer registry bounded without losing counts (incident 4: a
 * histogram gained 72 series for every new tag value until the service ran out of memory).
 *
 * <pre>{@code
 * CardinalityGuard.builder()
 *     .maxTagValues(100)                                  // per meter name and tag key
 *     .maxTagValues("http.server.requests", "uri", 200)   // overrides by meter name prefix
 *     .maxSeries(10_000)                                  // registry-wide, in exported series
 *     .expireIdleAfter(Duration.ofMinutes(15))            // names whose tags folded, by default
 *     .build()
 *     .bindTo(registry);
 * }</pre>
 *
 * <ul>
 *   <li><b>Tag values past a cap are folded, not denied.</b> A tag key of a meter name takes at
 *       most {@code maxTagValues} distinct values; the meter for a further value is the one with
 *       the overflow value ({@code OVERFLOW}) instead, so every increment lands and sums over the
 *       meter stay exact. The first time a meter name and tag key overflow, one WARN names them.
 *   <li><b>Only what is really registered counts.</b> Micrometer runs every filter's {@code map}
 *       before any {@code accept}, so the guard sees ids that a later filter denies or rewrites
 *       (common tags, ignored tags). It reserves a new meter's series and tag values on the
 *       registering thread and counts them from the meter that arrives; a registration that brings
 *       no meter gives its reservation back on that thread's next lookup, or after a second.
 *   <li><b>A series budget counts what the registry exports</b>: a counter or gauge is 1 series, a
 *       timer or distribution summary 3 (count, sum, max) plus its finite histogram buckets and
 *       {@code +Inf}, or plus its client-side percentiles when it has no buckets. A Prometheus
 *       registry adds percentile-histogram buckets (a timer with a percentile histogram is 72); a
 *       {@code SimpleMeterRegistry} does not, so there it costs 3 plus its service-level
 *       objectives. When the budget has no room for a new timer's or summary's distribution as
 *       asked, the percentile histogram goes first, then percentiles, then service-level
 *       objectives: the first shape that fits (with room for its name's overflow meter) is kept. On
 *       Prometheus, which exports a name as a histogram or a summary but never both, later meters
 *       of a name take the shape of those already there, and the WARN says so. When a new tag
 *       combination does not fit at all, it is folded into overflow: every tag key whose live
 *       meters show more than this one value gets the overflow value, and keys with one value stay.
 *       Meters registered keep working.
 *   <li><b>Idle meters expire</b> when {@code expireIdleAfter} is set, in its scope only: meters of
 *       a name whose tags ever folded (their tags come from data), and those named with {@link
 *       Builder#expireIdleMetersNamed} or {@link Builder#expireIdleMetersTagged}. A counter, timer
 *       or distribution summary in scope unused for that long is removed from the registry and
 *       frees its slots. Unused means its count did not change, or, for the step meters of a {@code
 *       StepMeterRegistry} (whose count is the last step's alone), that count was zero. Looking it
 *       up again registers a new one from zero, which Prometheus sees as a counter reset ({@code
 *       rate()} and {@code increase()} handle it).
 * </ul>
 *
 * <p>Limits, stated plainly:
 *
 * <ul>
 *   <li>Overflow meters are always registered, so that no increment is lost. The budget keeps room
 *       for one per meter name, so they take the series past {@code maxSeries} only when names race
 *       for the last of it: by at most one overflow meter per name. Meters without tags cannot fold
 *       and are always registered (with the smallest shape when the budget is full).
 *   <li>Micrometer caches the id that created a meter: the first value folded into an overflow
 *       meter stays on it while that meter lives, even once its key has room again. Overflow meters
 *       are in the default expiry scope, so with expiry on that lasts until it goes idle. Other
 *       folded values are looked up again each time; the guard answers those without locking and
 *       without a new id.
 *   <li>A filter before the guard that denies an id still shows it to the guard; when the budget is
 *       full the guard may log a fold for a meter that is then denied.
 *   <li>Expiry runs when new meters are being registered and on {@link #report()}, at most once per
 *       half the idle time; a registry where nothing new appears does not grow, so it holds no
 *       thread. A sweep sees a change only when it runs, so expiry is late, never early: a meter is
 *       removed once sweeps have seen its count unchanged for the idle time, which with regular
 *       sweeps is between once and twice the idle time after its last change. Code that keeps a
 *       reference to a meter in scope records to a meter no longer exported once it expired; that
 *       is why the scope leaves out, by default, names whose tags never folded. Gauges, function
 *       counters, function timers and long task timers never expire: their owner registers them
 *       once.
 *   <li>Guard memory is O(limits): per meter name and tag key at most its cap of values, per live
 *       meter one entry, per registering thread at most one reservation; never per distinct value
 *       seen. Meter names are assumed to come from code, not from data.
 *   <li>One guard per registry: {@link #bindTo} a second time throws. On a {@code
 *       CompositeMeterRegistry}, bind it to the composite only; removals reach the child
 *       registries, and series are counted by the shape the guard configured (Prometheus-style).
 * </ul>
 *
 * <p>Meters: {@code cardinality.series.used}, {@code cardinality.series.max}, {@code
 * cardinality.overflows} (by {@code limit}: tag.values, series.budget), {@code
 * cardinality.histograms.dropped} (by {@code reason}: series.budget, shape), {@code
 * cardinality.meters.expired}.
 */
public final class CardinalityGuard implements MeterFilter, MeterBinder {
  public static final int DEFAULT_MAX_TAG_VALUES = 100;
  public static final int DEFAULT_MAX_SERIES = 10_000;
  public static final String DEFAULT_OVERFLOW_TAG_VALUE = "OVERFLOW";

  static final String SERIES_USED = GuardMeters.SERIES_USED;
  static final String SERIES_MAX = GuardMeters.SERIES_MAX;
  static final String OVERFLOWS = GuardMeters.OVERFLOWS;
  static final String HISTOGRAMS_DROPPED = GuardMeters.HISTOGRAMS_DROPPED;
  static final String METERS_EXPIRED = GuardMeters.METERS_EXPIRED;

  private final int maxTagValues;
  private final List<TagCap> tagCaps;
  private final int maxSeries;
  private final String overflowTagValue;
  private final long expireIdleNanos;
  private final SeriesLedger ledger;
  private final GuardMeters meters;
  private final Folding folding;
  private final ExpirySweep sweep;
  private volatile @Nullable Shaping shaping;
  private volatile @Nullable MeterRegistry registry;
  private volatile Clock clock = Clock.SYSTEM;

  private CardinalityGuard(Builder builder) {
    this.maxTagValues = builder.maxTagValues;
    this.tagCaps = List.copyOf(builder.tagCaps);
    this.maxSeries = builder.maxSeries;
    this.overflowTagValue = builder.overflowTagValue;
    this.expireIdleNanos = builder.expireIdleAfter == null ? 0 : builder.expireIdleAfter.toNanos();
    this.ledger = new SeriesLedger(maxSeries, overflowTagValue, this::capFor);
    this.meters = new GuardMeters(overflowTagValue, maxSeries, builder.listener);
    this.folding = new Folding(ledger, meters, overflowTagValue);
    this.sweep =
        new ExpirySweep(
            ledger, meters, expireIdleNanos, builder.expiredNamePrefixes, builder.expiredTagKeys);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Installs the guard on {@code registry}: as its filter, as a listener for meters added and
   * removed (meters already there count towards the budget), and with its own meters. Bind before
   * the application registers its meters; meters registered earlier are counted but not capped.
   *
   * @throws IllegalStateException if this guard is bound already
   */
  @Override
  public void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    synchronized (this) {
      MeterRegistry bound = this.registry;
      if (bound != null) {
        throw new IllegalStateException(
            "CardinalityGuard is already bound to "
                + bound
                + "; use one guard per registry (on a composite, bind it to the composite only)");
      }
      clock = registry.config().clock();
      Shaping shaping = new Shaping(ledger, meters, registry);
      this.shaping = shaping;
      sweep.start(clock.monotonicTime());
      registry.config().onMeterAdded(this::meterAdded).onMeterRemoved(ledger::removed);
      registry.forEachMeter(this::meterAdded);
      ledger.binding = false;
      this.registry = registry;
      registry.config().meterFilter(this);
    }
    meters.register(registry, ledger);
  }

  /** Caps tag values and folds new tag combinations that the series budget has no room for. */
  @Override
  public Meter.Id map(Meter.Id id) {
    MeterRegistry bound = registry;
    if (bound == null || GuardMeters.isOwn(id)) {
      return id;
    }
    // This thread's last reservation is still held only if its registration produced no meter.
    ledger.releaseOwn();
    Meter.@Nullable Id known = folding.lockFree(id);
    if (known != null) {
      return known;
    }
    // One clock read per registration: it dates the reservation and tells whether a sweep is due.
    long now = clock.monotonicTime();
    Meter.Id decided = folding.decide(id, now);
    if (sweep.due(now)) {
      sweep.sweep(bound, now);
    }
    return decided;
  }

  /**
   * Shapes a new timer's or distribution summary's distribution to what the series budget has room
   * for: the percentile histogram goes first, service-level objectives and percentiles stay where
   * they fit. On Prometheus, later meters of a name keep the shape of those already there.
   */
  @Override
  public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
    Shaping shaping = this.shaping;
    if (shaping == null || GuardMeters.isOwn(id)) {
      return config;
    }
    return shaping.configure(config);
  }

  private void meterAdded(Meter meter) {
    long now =
        expireIdleNanos > 0 && TrackedMeter.isExpirableType(meter) ? clock.monotonicTime() : 0;
    Shaping shaping = Objects.requireNonNull(this.shaping);
    Reservation reservation = ledger.arrived(meter, shaping.countsConfigured(), now);
    if (reservation != null) {
      shaping.learn(reservation, meter);
    }
  }

  /**
   * Every meter name with its series and tag keys, and every limit that folded registrations,
   * ranked. Runs idle expiry first.
   */
  public CardinalityReport report() {
    MeterRegistry bound = registry;
    if (bound != null) {
      sweep.sweep(bound, clock.monotonicTime());
    }
    List<CardinalityReport.MeterName> meterNames = new ArrayList<>();
    List<CardinalityReport.Overflow> overflows = new ArrayList<>();
    long seriesUsed;
    ledger.lock.lock();
    try {
      for (MeterNameState name : ledger.names()) {
        List<CardinalityReport.TagKey> keys = new ArrayList<>();
        for (TagValues values : name.keys()) {
          if (values.size() > 0) {
            keys.add(new CardinalityReport.TagKey(values.key, values.size(), values.cap));
          }
          if (values.overflows.sum() > 0) {
            overflows.add(
                new CardinalityReport.Overflow(name.name, values.key, values.overflows.sum()));
          }
        }
        if (name.budgetOverflows.sum() > 0) {
          overflows.add(
              new CardinalityReport.Overflow(name.name, null, name.budgetOverflows.sum()));
        }
        if (name.meters > 0) {
          keys.sort(
              Comparator.comparingInt(CardinalityReport.TagKey::distinctValues)
                  .reversed()
                  .thenComparing(CardinalityReport.TagKey::key));
          meterNames.add(
              new CardinalityReport.MeterName(name.name, name.meters, name.series, keys));
        }
      }
      seriesUsed = ledger.seriesLive();
    } finally {
      ledger.lock.unlock();
    }
    meterNames.sort(
        Comparator.comparingLong(CardinalityReport.MeterName::series)
            .reversed()
            .thenComparing(CardinalityReport.MeterName::name));
    overflows.sort(
        Comparator.comparingLong(CardinalityReport.Overflow::count)
            .reversed()
            .thenComparing(CardinalityReport.Overflow::meterName));
    return new CardinalityReport(
        seriesUsed,
        maxSeries,
        meters.histogramsDropped(),
        meters.metersExpired(),
        meterNames,
        overflows);
  }

  /** Series of the meters registered now. */
  long seriesUsed() {
    return ledger.seriesLive();
  }

  /** Series reserved for registrations under way. */
  long seriesReserved() {
    return ledger.seriesReserved();
  }

  /** Entries the guard holds: live meters, reservations and tag values. For tests. */
  int stateSize() {
    return ledger.size();
  }

  public int maxTagValues() {
    return maxTagValues;
  }

  public int maxSeries() {
    return maxSeries;
  }

  public String overflowTagValue() {
    return overflowTagValue;
  }

  @Override
  public String toString() {
    return "CardinalityGuard{maxTagValues="
        + maxTagValues
        + ", tagCaps="
        + tagCaps
        + ", maxSeries="
        + maxSeries
        + ", overflowTagValue="
        + overflowTagValue
        + ", expireIdleAfter="
        + (expireIdleNanos == 0 ? "never" : Duration.ofNanos(expireIdleNanos))
        + '}';
  }

  private int capFor(String meterName, String key) {
    @Nullable TagCap best = null;
    for (TagCap cap : tagCaps) {
      if (cap.tagKey.equals(key)
          && meterName.startsWith(cap.meterNamePrefix)
          && (best == null || cap.meterNamePrefix.length() > best.meterNamePrefix.length())) {
        best = cap;
      }
    }
    return best == null ? maxTagValues : best.maxValues;
  }

  private static final class TagCap {
    final String meterNamePrefix;
    final String tagKey;
    final int maxValues;

    TagCap(String meterNamePrefix, String tagKey, int maxValues) {
      this.meterNamePrefix = meterNamePrefix;
      this.tagKey = tagKey;
      this.maxValues = maxValues;
    }

    @Override
    public String toString() {
      return meterNamePrefix + "*/" + tagKey + "=" + maxValues;
    }
  }

  /** Configuration; every setting has a default. Not thread-safe; the guard it builds is. */
  public static final class Builder {
    private int maxTagValues = DEFAULT_MAX_TAG_VALUES;
    private final List<TagCap> tagCaps = new ArrayList<>();
    private int maxSeries = DEFAULT_MAX_SERIES;
    private String overflowTagValue = DEFAULT_OVERFLOW_TAG_VALUE;
    private @Nullable Duration expireIdleAfter;
    private final List<String> expiredNamePrefixes = new ArrayList<>();
    private final Set<String> expiredTagKeys = new LinkedHashSet<>();
    private Consumer<CardinalityEvent> listener = event -> {};

    private Builder() {}

    /**
     * Distinct values per meter name and tag key; default 100.
     *
     * @throws IllegalArgumentException if {@code maxTagValues} is less than 1
     */
    public Builder maxTagValues(int maxTagValues) {
      this.maxTagValues = Require.atLeast("maxTagValues", maxTagValues, 1);
      return this;
    }

    /**
     * Distinct values of {@code tagKey} for meter names starting with {@code meterNamePrefix}; the
     * longest matching prefix wins over shorter ones and over {@link #maxTagValues(int)}.
     *
     * @throws IllegalArgumentException if {@code tagKey} is empty or {@code maxTagValues} is less
     *     than 1
     * @throws NullPointerException if {@code meterNamePrefix} or {@code tagKey} is null
     */
    public Builder maxTagValues(String meterNamePrefix, String tagKey, int maxTagValues) {
      Objects.requireNonNull(meterNamePrefix, "meterNamePrefix");
      Objects.requireNonNull(tagKey, "tagKey");
      Require.notEmpty("tagKey for meter name prefix '" + meterNamePrefix + "'", tagKey);
      tagCaps.add(
          new TagCap(
              meterNamePrefix,
              tagKey,
              Require.atLeast("maxTagValues for " + tagKey, maxTagValues, 1)));
      return this;
    }

    /**
     * Registry-wide budget in exported series (histogram buckets, count, sum and max included);
     * default 10,000.
     *
     * @throws IllegalArgumentException if {@code maxSeries} is less than 1
     */
    public Builder maxSeries(int maxSeries) {
      this.maxSeries = Require.atLeast("maxSeries", maxSeries, 1);
      return this;
    }

    /**
     * The tag value that excess values fold into; default {@code OVERFLOW}.
     *
     * @throws IllegalArgumentException if {@code overflowTagValue} is blank
     * @throws NullPointerException if {@code overflowTagValue} is null
     */
    public Builder overflowTagValue(String overflowTagValue) {
      Objects.requireNonNull(overflowTagValue, "overflowTagValue");
      this.overflowTagValue = Require.notBlank("overflowTagValue", overflowTagValue);
      return this;
    }

    /**
     * Removes counters, timers and distribution summaries in scope that were unused for this long
     * (see the class comment); default never. In scope by default: meters of names whose tags ever
     * folded into the overflow value. Widen it with {@link #expireIdleMetersNamed} and {@link
     * #expireIdleMetersTagged}.
     *
     * @throws IllegalArgumentException if {@code expireIdleAfter} is not positive
     * @throws NullPointerException if {@code expireIdleAfter} is null
     */
    public Builder expireIdleAfter(Duration expireIdleAfter) {
      Objects.requireNonNull(expireIdleAfter, "expireIdleAfter");
      this.expireIdleAfter = Require.positive("expireIdleAfter", expireIdleAfter);
      return this;
    }

    /**
     * Also expires idle meters whose name starts with {@code meterNamePrefix}; the empty prefix
     * expires every counter, timer and distribution summary, including those code keeps in fields.
     * Needs {@link #expireIdleAfter}.
     */
    public Builder expireIdleMetersNamed(String meterNamePrefix) {
      expiredNamePrefixes.add(Objects.requireNonNull(meterNamePrefix, "meterNamePrefix"));
      return this;
    }

    /**
     * Also expires idle meters that carry the tag key {@code tagKey}. Needs {@link
     * #expireIdleAfter}.
     *
     * @throws IllegalArgumentException if {@code tagKey} is empty
     * @throws NullPointerException if {@code tagKey} is null
     */
    public Builder expireIdleMetersTagged(String tagKey) {
      Objects.requireNonNull(tagKey, "tagKey");
      expiredTagKeys.add(Require.notEmpty("expireIdleMetersTagged tagKey", tagKey));
      return this;
    }

    /**
     * Told the first time each limit is reached per meter name (and tag key), as the WARN log is.
     * Runs on the registering thread, sometimes under the registry's lock: keep it short and do not
     * register meters from it. What it throws is logged.
     */
    public Builder listener(Consumer<CardinalityEvent> listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Builds the guard; it counts nothing until {@link CardinalityGuard#bindTo} binds it.
     *
     * @throws IllegalStateException if an expiry scope was given without {@link #expireIdleAfter}
     */
    public CardinalityGuard build() {
      if (expireIdleAfter == null
          && (!expiredNamePrefixes.isEmpty() || !expiredTagKeys.isEmpty())) {
        throw new IllegalStateException(
            "expireIdleMetersNamed "
                + expiredNamePrefixes
                + " and expireIdleMetersTagged "
                + expiredTagKeys
                + " need expireIdleAfter(Duration) to be set");
      }
      return new CardinalityGuard(this);
    }
  }
}
