package dev.oomguard.metrics;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.ToIntBiFunction;
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
 *     .expireIdleAfter(Duration.ofMinutes(15))
 *     .build()
 *     .bindTo(registry);
 * }</pre>
 *
 * <ul>
 *   <li><b>Tag values past a cap are folded, not denied.</b> A tag key of a meter name takes at
 *       most {@code maxTagValues} distinct values; the meter for a further value is the one with
 *       the overflow value ({@code OVERFLOW}) instead, so every increment lands and sums over the
 *       meter stay exact. The first time a meter name and tag key overflow, one WARN names them.
 *   <li><b>A series budget counts what is exported</b>: a counter or gauge is 1 series, a timer or
 *       distribution summary 3 (count, sum, max) plus its finite histogram buckets and
 *       {@code +Inf}, or plus its client-side percentiles when it has no buckets, as a Prometheus
 *       scrape shows them (a timer with a percentile histogram is 72). When the budget has no
 *       room for a new meter name's histogram (and its overflow meter's), the name is registered
 *       without histogram and percentiles: its meters keep count, sum and max. This is decided per
 *       name, because Prometheus exports a name as a histogram or as a summary, never both: later
 *       meters of a name take the shape of those already there. When a new tag combination does
 *       not fit at all, it is folded into overflow: every tag key whose live meters show more than
 *       this one value gets the overflow value, and keys with one value (common tags) stay. Meters
 *       registered keep working.
 *   <li><b>Idle meters expire</b> when {@code expireIdleAfter} is set: a counter, timer or
 *       distribution summary unused for that long is removed from the registry and frees its
 *       slots. Unused means its count did not change, or, for the step meters of a {@code
 *       StepMeterRegistry} (whose count is the last step's alone), that count was zero. Looking it
 *       up again registers a new one from zero, which Prometheus sees as a counter reset ({@code
 *       rate()} and {@code increase()} handle it).
 * </ul>
 *
 * <p>Limits, stated plainly:
 * <ul>
 *   <li>Overflow meters are always registered, so that no increment is lost. The budget keeps room
 *       for one per meter name, so they take the series past {@code maxSeries} only when names
 *       race for the last of it: by at most one overflow meter per name.
 *       Meters without tags cannot fold and are always registered (without histogram when the
 *       budget is full).
 *   <li>Expiry runs when new meters are being registered and on {@link #report()}, at most once
 *       per half the idle time; a registry where nothing new appears does not grow, so it holds
 *       no thread. A sweep sees a change only when it runs, so expiry is late, never early: a
 *       meter is removed once sweeps have seen its count unchanged for the idle time, which with
 *       regular sweeps is between once and twice the idle time after its last change. Code that keeps a reference to a meter and records to it after it expired
 *       records to a meter no longer exported; expiry suits meters looked up per use
 *       ({@code registry.counter(name, tags)}, {@code Timer.builder(..).register(registry)}),
 *       which is how tags with changing values are recorded. Gauges, function counters, function
 *       timers and long task timers never expire: their owner registers them once.
 *   <li>Guard memory is O(limits): per meter name and tag key at most its cap of values, per live
 *       meter one entry; never per distinct value seen. Meter names are assumed to come from
 *       code, not from data.
 *   <li>Each lookup of a folded value runs the registry's filters again (Micrometer caches only the
 *       first id that created a meter); the guard answers it without locking.
 *   <li>One guard per registry: {@link #bindTo} a second time throws. On a
 *       {@code CompositeMeterRegistry}, bind it to the composite only; removals reach the child
 *       registries. Filters added after the guard see its ids; add it last.
 * </ul>
 *
 * <p>Meters: {@code cardinality.series.used}, {@code cardinality.series.max},
 * {@code cardinality.overflows} (by {@code limit}: tag.values, series.budget),
 * {@code cardinality.histograms.dropped}, {@code cardinality.meters.expired}.
 */
public final class CardinalityGuard implements MeterFilter, MeterBinder {
  public static final int DEFAULT_MAX_TAG_VALUES = 100;
  public static final int DEFAULT_MAX_SERIES = 10_000;
  public static final String DEFAULT_OVERFLOW_TAG_VALUE = "OVERFLOW";
  /** How long a new meter's reservation waits for the registry; longer means another filter denied it. */
  static final Duration RESERVATION_TIMEOUT = Duration.ofMinutes(1);

  static final String SERIES_USED = "cardinality.series.used";
  static final String SERIES_MAX = "cardinality.series.max";
  static final String OVERFLOWS = "cardinality.overflows";
  static final String HISTOGRAMS_DROPPED = "cardinality.histograms.dropped";
  static final String METERS_EXPIRED = "cardinality.meters.expired";
  private static final Set<String> OWN_METERS =
      Set.of(SERIES_USED, SERIES_MAX, OVERFLOWS, HISTOGRAMS_DROPPED, METERS_EXPIRED);
  private static final System.Logger LOG = System.getLogger(CardinalityGuard.class.getName());

  private final int maxTagValues;
  private final List<TagCap> tagCaps;
  private final int maxSeries;
  private final String overflowTagValue;
  private final long expireIdleNanos;
  private final long sweepIntervalNanos;
  private final Consumer<CardinalityEvent> listener;
  private final ToIntBiFunction<String, String> capFor = this::capFor;

  /** Guards every change of the state below; reads on the lookup path need no lock. */
  private final ReentrantLock lock = new ReentrantLock();
  private final Map<String, MeterNameState> names = new ConcurrentHashMap<>();
  /** Meters registered and ids reserved for registration; see {@link TrackedMeter}. */
  private final Map<Meter.Id, TrackedMeter> live = new ConcurrentHashMap<>();
  private volatile long seriesLive;
  private volatile long seriesReserved;
  private final LongAdder tagValueOverflows = new LongAdder();
  private final LongAdder budgetOverflows = new LongAdder();
  private final LongAdder histogramsDropped = new LongAdder();
  private final LongAdder metersExpired = new LongAdder();
  private final AtomicBoolean sweeping = new AtomicBoolean();
  private volatile long nextSweepNanos;
  private volatile @Nullable MeterRegistry registry;
  private volatile boolean composite;
  private volatile Clock clock = Clock.SYSTEM;

  private CardinalityGuard(Builder builder) {
    this.maxTagValues = builder.maxTagValues;
    this.tagCaps = List.copyOf(builder.tagCaps);
    this.maxSeries = builder.maxSeries;
    this.overflowTagValue = builder.overflowTagValue;
    this.expireIdleNanos = builder.expireIdleAfter == null ? 0 : builder.expireIdleAfter.toNanos();
    this.sweepIntervalNanos = expireIdleNanos > 0
        ? Math.max(1, Math.min(expireIdleNanos / 2, RESERVATION_TIMEOUT.toNanos()))
        : RESERVATION_TIMEOUT.toNanos();
    this.listener = builder.listener;
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
        throw new IllegalStateException("CardinalityGuard is already bound to " + bound
            + "; use one guard per registry (on a composite, bind it to the composite only)");
      }
      clock = registry.config().clock();
      composite = registry instanceof CompositeMeterRegistry;
      nextSweepNanos = clock.monotonicTime() + sweepIntervalNanos;
      registry.config().onMeterAdded(this::meterAdded).onMeterRemoved(this::meterRemoved);
      registry.forEachMeter(this::meterAdded);
      this.registry = registry;
      registry.config().meterFilter(this);
    }

    Gauge.builder(SERIES_USED, this, CardinalityGuard::seriesUsed)
        .description("Series the registry exports as Prometheus counts them: histogram buckets, count, sum and max included")
        .baseUnit("series")
        .register(registry);
    Gauge.builder(SERIES_MAX, this, guard -> guard.maxSeries)
        .description("The registry-wide series budget")
        .baseUnit("series")
        .register(registry);
    FunctionCounter.builder(OVERFLOWS, tagValueOverflows, LongAdder::doubleValue)
        .description("Meter registrations folded into the overflow tag value, by the limit that folded them")
        .tag("limit", "tag.values")
        .baseUnit("registrations")
        .register(registry);
    FunctionCounter.builder(OVERFLOWS, budgetOverflows, LongAdder::doubleValue)
        .description("Meter registrations folded into the overflow tag value, by the limit that folded them")
        .tag("limit", "series.budget")
        .baseUnit("registrations")
        .register(registry);
    FunctionCounter.builder(HISTOGRAMS_DROPPED, histogramsDropped, LongAdder::doubleValue)
        .description("Meters registered with count, sum and max only, their histogram dropped for lack of series budget")
        .baseUnit("meters")
        .register(registry);
    FunctionCounter.builder(METERS_EXPIRED, metersExpired, LongAdder::doubleValue)
        .description("Meters removed because their value had not changed for the idle time")
        .baseUnit("meters")
        .register(registry);
  }

  /** Caps tag values and folds new tag combinations that the series budget has no room for. */
  @Override
  public Meter.Id map(Meter.Id id) {
    if (registry == null || live.containsKey(id) || OWN_METERS.contains(id.getName())) {
      return id;
    }
    // One clock read per lookup: it dates a reservation and tells whether a sweep is due.
    long now = clock.monotonicTime();
    Decision decision = decide(id, false, now);
    if (decision == null) {
      lock.lock();
      try {
        decision = Objects.requireNonNull(decide(id, true, now));
      } finally {
        lock.unlock();
      }
    }
    decision.record();
    if (now - nextSweepNanos >= 0) {
      sweep(now);
    }
    return decision.id;
  }

  /**
   * Drops the histogram and percentiles of a new meter name when the series budget has no room for
   * them; later meters of the name take the shape of the first.
   */
  @Override
  public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
    if (registry == null || OWN_METERS.contains(id.getName())) {
      return config;
    }
    int full = Series.predicted(config);
    if (full <= Series.DISTRIBUTION_BASE) {
      return config;
    }
    MeterNameState name;
    lock.lock();
    try {
      name = names.computeIfAbsent(id.getName(), MeterNameState::new);
      // Prometheus exports a name as a histogram or as a summary, never both: every meter of a
      // name takes the shape of the ones already there.
      boolean keep = name.histogramMeters > 0 || name.meters == 0 && fitsHistogram(name, id, full);
      TrackedMeter tracked = live.get(id);
      if (tracked != null && tracked.isReserved()) {
        tracked.configuredSeries = keep ? full : Series.DISTRIBUTION_BASE;
        tracked.configuredHistogram = keep && Series.hasBuckets(config);
      }
      if (keep) {
        return config;
      }
    } finally {
      lock.unlock();
    }
    histogramsDropped.increment();
    if (name.histogramWarned.compareAndSet(false, true)) {
      limitReached(new CardinalityEvent(CardinalityEvent.Kind.HISTOGRAM_DROPPED, id.getName(), null),
          "The series budget of " + maxSeries + " has no room for the histogram of meter '" + id.getName()
              + "' (" + full + " series per meter); its meters keep count, sum and max only");
    }
    return DistributionStatisticConfig.builder()
        .percentilesHistogram(false)
        .percentiles(new double[0])
        .serviceLevelObjectives(new double[0])
        .build()
        .merge(config);
  }

  /** Room for the first meter of a name with its histogram, and for the overflow meter beside it. */
  private boolean fitsHistogram(MeterNameState name, Meter.Id id, int full) {
    TrackedMeter tracked = live.get(id);
    TrackedMeter reservation = tracked != null && tracked.isReserved() ? tracked : null;
    int reserved = reservation == null ? 0 : reservation.series;
    int overflowRoom = hasOverflowValue(id) ? 0 : full;
    if (seriesLive + seriesReserved - reserved + full + overflowRoom > maxSeries) {
      return false;
    }
    if (reservation != null) {
      reservation.series = full;
      seriesReserved += full - reserved;
    }
    return true;
  }

  /**
   * Every meter name with its series and tag keys, and every limit that folded registrations,
   * ranked. Runs idle expiry first.
   */
  public CardinalityReport report() {
    if (registry != null) {
      sweep(clock.monotonicTime());
    }
    List<CardinalityReport.MeterName> meterNames = new ArrayList<>();
    List<CardinalityReport.Overflow> overflows = new ArrayList<>();
    lock.lock();
    try {
      for (MeterNameState name : names.values()) {
        List<CardinalityReport.TagKey> keys = new ArrayList<>();
        for (TagValues values : name.keys()) {
          keys.add(new CardinalityReport.TagKey(values.key, values.size(), values.cap));
          if (values.overflows.sum() > 0) {
            overflows.add(new CardinalityReport.Overflow(name.name, values.key, values.overflows.sum()));
          }
        }
        if (name.budgetOverflows.sum() > 0) {
          overflows.add(new CardinalityReport.Overflow(name.name, null, name.budgetOverflows.sum()));
        }
        if (name.meters > 0) {
          keys.sort(Comparator.comparingInt(CardinalityReport.TagKey::distinctValues).reversed()
              .thenComparing(CardinalityReport.TagKey::key));
          meterNames.add(new CardinalityReport.MeterName(name.name, name.meters, name.series, keys));
        }
      }
    } finally {
      lock.unlock();
    }
    meterNames.sort(Comparator.comparingLong(CardinalityReport.MeterName::series).reversed()
        .thenComparing(CardinalityReport.MeterName::name));
    overflows.sort(Comparator.comparingLong(CardinalityReport.Overflow::count).reversed()
        .thenComparing(CardinalityReport.Overflow::meterName));
    return new CardinalityReport(seriesLive, maxSeries, histogramsDropped.sum(), metersExpired.sum(),
        meterNames, overflows);
  }

  /** Series of the meters registered now. */
  long seriesUsed() {
    return seriesLive;
  }

  /** Entries the guard holds: live meters and reservations, and tag values. */
  int stateSize() {
    int values = 0;
    for (MeterNameState name : names.values()) {
      for (TagValues key : name.keys()) {
        values += key.size();
      }
    }
    return live.size() + values;
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
    return "CardinalityGuard{maxTagValues=" + maxTagValues + ", tagCaps=" + tagCaps + ", maxSeries=" + maxSeries
        + ", overflowTagValue=" + overflowTagValue + ", expireIdleAfter="
        + (expireIdleNanos == 0 ? "never" : Duration.ofNanos(expireIdleNanos)) + '}';
  }

  /**
   * The id to register for {@code id}; without {@code reserve} (and without the lock) null when
   * taking a tag value slot or budget is needed, which only the locked pass may do.
   */
  private @Nullable Decision decide(Meter.Id id, boolean reserve, long now) {
    MeterNameState name = reserve
        ? names.computeIfAbsent(id.getName(), MeterNameState::new)
        : names.get(id.getName());
    if (name == null) {
      return null;
    }
    List<TagValues> capped = List.of();
    List<TagValues> admitted = List.of();
    List<String> admittedValues = List.of();
    for (Tag tag : id.getTagsAsIterable()) {
      String value = tag.getValue();
      if (value.equals(overflowTagValue)) {
        continue;
      }
      TagValues values = reserve ? name.values(tag.getKey(), capFor) : name.valuesOrNull(tag.getKey());
      if (values == null) {
        return null;
      }
      if (values.contains(value)) {
        continue;
      }
      if (values.hasRoom()) {
        if (!reserve) {
          return null;
        }
        if (values.admit(value)) {
          admitted = add(admitted, values);
          admittedValues = add(admittedValues, value);
        }
        continue;
      }
      capped = add(capped, values);
    }
    Meter.Id candidate = capped.isEmpty() ? id : foldKeys(id, capped);
    boolean budgetFolded = false;
    if (isNew(candidate)) {
      int cost = Math.max(Series.minimum(id.getType()), name.meters > 0 ? name.seriesPerMeter : 0);
      int overflowRoom = name.overflowMeters > 0 || hasOverflowValue(candidate) ? 0 : cost;
      if (seriesLive + seriesReserved + cost + overflowRoom > maxSeries) {
        for (int i = 0; i < admitted.size(); i++) {
          admitted.get(i).withdraw(admittedValues.get(i));
        }
        admitted = List.of();
        admittedValues = List.of();
        candidate = foldForBudget(name, candidate);
        budgetFolded = true;
      }
      if (!budgetFolded || isNew(candidate)) {
        if (!reserve) {
          return null;
        }
        live.put(candidate, TrackedMeter.reserved(cost, now, admitted, admittedValues));
        seriesReserved += cost;
      }
    }
    return new Decision(candidate, name, capped, budgetFolded);
  }

  private boolean isNew(Meter.Id id) {
    return !live.containsKey(id);
  }

  /** The overflow value for the capped keys. */
  private Meter.Id foldKeys(Meter.Id id, List<TagValues> capped) {
    List<Tag> out = new ArrayList<>();
    for (Tag tag : id.getTagsAsIterable()) {
      boolean fold = false;
      for (TagValues values : capped) {
        fold |= values.key.equals(tag.getKey());
      }
      out.add(fold ? Tag.of(tag.getKey(), overflowTagValue) : tag);
    }
    return id.replaceTags(out);
  }

  /** Overflow for every tag key whose live meters show values other than this one. */
  private Meter.Id foldForBudget(MeterNameState name, Meter.Id id) {
    List<Tag> out = new ArrayList<>();
    boolean changed = false;
    for (Tag tag : id.getTagsAsIterable()) {
      TagValues values = name.valuesOrNull(tag.getKey());
      if (!tag.getValue().equals(overflowTagValue) && (values == null || !values.isOnly(tag.getValue()))) {
        out.add(Tag.of(tag.getKey(), overflowTagValue));
        changed = true;
      } else {
        out.add(tag);
      }
    }
    return changed ? id.replaceTags(out) : id;
  }

  private boolean hasOverflowValue(Meter.Id id) {
    for (Tag tag : id.getTagsAsIterable()) {
      if (tag.getValue().equals(overflowTagValue)) {
        return true;
      }
    }
    return false;
  }

  private int capFor(String meterName, String key) {
    @Nullable TagCap best = null;
    for (TagCap cap : tagCaps) {
      if (cap.tagKey.equals(key) && meterName.startsWith(cap.meterNamePrefix)
          && (best == null || cap.meterNamePrefix.length() > best.meterNamePrefix.length())) {
        best = cap;
      }
    }
    return best == null ? maxTagValues : best.maxValues;
  }

  private void meterAdded(Meter meter) {
    Meter.Id id = meter.getId();
    lock.lock();
    try {
      TrackedMeter tracked = live.get(id);
      if (tracked != null && !tracked.isReserved()) {
        return;
      }
      // A composite meter's snapshot is that of its first child, and which child is first varies
      // (an identity map): count what the guard configured it to export instead.
      boolean configured = composite && tracked != null && tracked.configuredSeries > 0;
      int series = configured ? tracked.configuredSeries : Series.of(meter);
      boolean histogram = configured ? tracked.configuredHistogram : Series.hasBuckets(meter);
      boolean expirable = TrackedMeter.isExpirableType(meter) && !OWN_METERS.contains(id.getName());
      // Only a meter that can expire needs to know when it was added.
      long now = expirable && expireIdleNanos > 0 ? clock.monotonicTime() : 0;
      if (tracked == null) {
        tracked = TrackedMeter.unreserved();
        live.put(id, tracked);
      } else {
        seriesReserved -= tracked.series;
      }
      tracked.registered(meter, series, expirable, histogram, now);
      seriesLive += series;
      MeterNameState name = names.computeIfAbsent(id.getName(), MeterNameState::new);
      name.meters++;
      name.series += series;
      name.seriesPerMeter = series;
      if (histogram) {
        name.histogramMeters++;
      }
      if (hasOverflowValue(id)) {
        name.overflowMeters++;
      }
      for (Tag tag : id.getTagsAsIterable()) {
        if (!tag.getValue().equals(overflowTagValue)) {
          name.values(tag.getKey(), capFor).meterAdded(tag.getValue());
        }
      }
    } finally {
      lock.unlock();
    }
  }

  private void meterRemoved(Meter meter) {
    Meter.Id id = meter.getId();
    lock.lock();
    try {
      TrackedMeter tracked = live.get(id);
      if (tracked == null || tracked.isReserved()) {
        return;
      }
      live.remove(id);
      seriesLive -= tracked.series;
      MeterNameState name = Objects.requireNonNull(names.get(id.getName()));
      name.meters--;
      name.series -= tracked.series;
      if (tracked.histogram) {
        name.histogramMeters--;
      }
      if (hasOverflowValue(id)) {
        name.overflowMeters--;
      }
      for (Tag tag : id.getTagsAsIterable()) {
        TagValues values = name.valuesOrNull(tag.getKey());
        if (values != null) {
          values.meterRemoved(tag.getValue());
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** Removes idle meters and gives back reservations whose meter never came. One sweeper at a time. */
  private void sweep(long now) {
    MeterRegistry bound = registry;
    if (bound == null || !sweeping.compareAndSet(false, true)) {
      return;
    }
    try {
      nextSweepNanos = now + sweepIntervalNanos;
      List<Meter> idle = new ArrayList<>();
      lock.lock();
      try {
        long timeout = RESERVATION_TIMEOUT.toNanos();
        for (Iterator<TrackedMeter> it = live.values().iterator(); it.hasNext(); ) {
          TrackedMeter tracked = it.next();
          Meter meter = tracked.meter;
          if (meter == null) {
            if (now - tracked.reservedNanos >= timeout) {
              it.remove();
              seriesReserved -= tracked.series;
              tracked.withdraw();
            }
          } else if (expireIdleNanos > 0 && tracked.expirable && tracked.idleFor(expireIdleNanos, now)) {
            idle.add(meter);
          }
        }
      } finally {
        lock.unlock();
      }
      // Outside the lock: removal takes the registry's lock, which is held when it calls us.
      for (Meter meter : idle) {
        if (bound.remove(meter) != null) {
          metersExpired.increment();
        }
      }
    } finally {
      sweeping.set(false);
    }
  }

  private void limitReached(CardinalityEvent event, String message) {
    LOG.log(System.Logger.Level.WARNING, message);
    try {
      listener.accept(event);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "CardinalityGuard listener failed on " + event, e);
    }
  }

  private static <T> List<T> add(List<T> list, T element) {
    List<T> out = list.isEmpty() ? new ArrayList<>(2) : list;
    out.add(element);
    return out;
  }

  /** The outcome of one lookup; counted and told after the lock is released. */
  private final class Decision {
    final Meter.Id id;
    private final MeterNameState name;
    private final List<TagValues> capped;
    private final boolean budgetFolded;

    Decision(Meter.Id id, MeterNameState name, List<TagValues> capped, boolean budgetFolded) {
      this.id = id;
      this.name = name;
      this.capped = capped;
      this.budgetFolded = budgetFolded;
    }

    void record() {
      if (budgetFolded) {
        budgetOverflows.increment();
        name.budgetOverflows.increment();
        if (name.budgetWarned.compareAndSet(false, true)) {
          limitReached(new CardinalityEvent(CardinalityEvent.Kind.SERIES_BUDGET, name.name, null),
              "The series budget of " + maxSeries + " is full; new tag combinations of meter '" + name.name
                  + "' are recorded under the tag value '" + overflowTagValue + "'");
        }
        return;
      }
      for (TagValues values : capped) {
        tagValueOverflows.increment();
        values.overflows.increment();
        if (values.warned.compareAndSet(false, true)) {
          limitReached(new CardinalityEvent(CardinalityEvent.Kind.TAG_VALUES, values.meterName, values.key),
              "Meter '" + values.meterName + "' tag '" + values.key + "' reached its cap of " + values.cap
                  + " distinct values; further values are recorded under '" + overflowTagValue
                  + "'. Ids, raw paths and user input as tag values are the usual cause");
        }
      }
    }
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
    private Consumer<CardinalityEvent> listener = event -> { };

    private Builder() {}

    /** Distinct values per meter name and tag key; default 100. */
    public Builder maxTagValues(int maxTagValues) {
      this.maxTagValues = requirePositive("maxTagValues", maxTagValues);
      return this;
    }

    /**
     * Distinct values of {@code tagKey} for meter names starting with {@code meterNamePrefix}; the
     * longest matching prefix wins over shorter ones and over {@link #maxTagValues(int)}.
     */
    public Builder maxTagValues(String meterNamePrefix, String tagKey, int maxTagValues) {
      Objects.requireNonNull(meterNamePrefix, "meterNamePrefix");
      Objects.requireNonNull(tagKey, "tagKey");
      if (tagKey.isEmpty()) {
        throw new IllegalArgumentException("tagKey must not be empty, was '' for meter name prefix '" + meterNamePrefix + "'");
      }
      tagCaps.add(new TagCap(meterNamePrefix, tagKey, requirePositive("maxTagValues for " + tagKey, maxTagValues)));
      return this;
    }

    /** Registry-wide budget in exported series (histogram buckets, count, sum and max included); default 10,000. */
    public Builder maxSeries(int maxSeries) {
      this.maxSeries = requirePositive("maxSeries", maxSeries);
      return this;
    }

    /** The tag value that excess values fold into; default {@code OVERFLOW}. */
    public Builder overflowTagValue(String overflowTagValue) {
      Objects.requireNonNull(overflowTagValue, "overflowTagValue");
      if (overflowTagValue.isBlank()) {
        throw new IllegalArgumentException("overflowTagValue must not be blank, was '" + overflowTagValue + "'");
      }
      this.overflowTagValue = overflowTagValue;
      return this;
    }

    /** Removes counters, timers and distribution summaries unused for this long (see the class comment); default never. */
    public Builder expireIdleAfter(Duration expireIdleAfter) {
      Objects.requireNonNull(expireIdleAfter, "expireIdleAfter");
      if (expireIdleAfter.isNegative() || expireIdleAfter.isZero()) {
        throw new IllegalArgumentException("expireIdleAfter must be positive, was " + expireIdleAfter);
      }
      this.expireIdleAfter = expireIdleAfter;
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

    public CardinalityGuard build() {
      return new CardinalityGuard(this);
    }

    private static int requirePositive(String name, int value) {
      if (value < 1) {
        throw new IllegalArgumentException(name + " must be at least 1, was " + value);
      }
      return value;
    }
  }
}
