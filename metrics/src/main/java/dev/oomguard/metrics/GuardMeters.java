package dev.oomguard.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * The guard's own meters, the counts behind them, and the one WARN (and listener event) per limit
 * and meter name. Counting is lock free; telling runs on the registering thread.
 */
final class GuardMeters {
  static final String SERIES_USED = "cardinality.series.used";
  static final String SERIES_MAX = "cardinality.series.max";
  static final String OVERFLOWS = "cardinality.overflows";
  static final String HISTOGRAMS_DROPPED = "cardinality.histograms.dropped";
  static final String METERS_EXPIRED = "cardinality.meters.expired";
  static final Set<String> NAMES =
      Set.of(SERIES_USED, SERIES_MAX, OVERFLOWS, HISTOGRAMS_DROPPED, METERS_EXPIRED);
  private static final String PREFIX = "cardinality.";
  private static final System.Logger LOG = System.getLogger(CardinalityGuard.class.getName());

  private final String overflowTagValue;
  private final int maxSeries;
  private final Consumer<CardinalityEvent> listener;
  private final LongAdder tagValueOverflows = new LongAdder();
  private final LongAdder budgetOverflows = new LongAdder();
  private final LongAdder histogramsDroppedForBudget = new LongAdder();
  private final LongAdder histogramsDroppedForShape = new LongAdder();
  private final LongAdder metersExpired = new LongAdder();

  GuardMeters(String overflowTagValue, int maxSeries, Consumer<CardinalityEvent> listener) {
    this.overflowTagValue = overflowTagValue;
    this.maxSeries = maxSeries;
    this.listener = listener;
  }

  static boolean isOwn(Meter.Id id) {
    String name = id.getName();
    return name.startsWith(PREFIX) && NAMES.contains(name);
  }

  void register(MeterRegistry registry, SeriesLedger ledger) {
    Gauge.builder(SERIES_USED, ledger, SeriesLedger::seriesLive)
        .description(
            "Series the registry exports, as it exports them: histogram buckets, count, sum and max included")
        .baseUnit("series")
        .register(registry);
    Gauge.builder(SERIES_MAX, ledger, SeriesLedger::maxSeries)
        .description("The registry-wide series budget")
        .baseUnit("series")
        .register(registry);
    overflows(registry, "tag.values", tagValueOverflows);
    overflows(registry, "series.budget", budgetOverflows);
    histogramsDropped(registry, "series.budget", histogramsDroppedForBudget);
    histogramsDropped(registry, "shape", histogramsDroppedForShape);
    FunctionCounter.builder(METERS_EXPIRED, metersExpired, LongAdder::doubleValue)
        .description("Meters removed because their value had not changed for the idle time")
        .baseUnit("meters")
        .register(registry);
  }

  private static void overflows(MeterRegistry registry, String limit, LongAdder count) {
    FunctionCounter.builder(OVERFLOWS, count, LongAdder::doubleValue)
        .description(
            "Meter registrations folded into the overflow tag value, by the limit that folded them")
        .tag("limit", limit)
        .baseUnit("registrations")
        .register(registry);
  }

  private static void histogramsDropped(MeterRegistry registry, String reason, LongAdder count) {
    FunctionCounter.builder(HISTOGRAMS_DROPPED, count, LongAdder::doubleValue)
        .description(
            "Meters registered with less than the histogram they asked for: for lack of series budget,"
                + " or to keep the shape of their name's meters")
        .tag("reason", reason)
        .baseUnit("meters")
        .register(registry);
  }

  void tagValuesFolded(TagValues values) {
    tagValueOverflows.increment();
    values.overflows.increment();
    if (once(values.warned)) {
      tell(
          new CardinalityEvent(CardinalityEvent.Kind.TAG_VALUES, values.meterName, values.key),
          "Meter '"
              + values.meterName
              + "' tag '"
              + values.key
              + "' reached its cap of "
              + values.cap
              + " distinct values; further values are recorded under '"
              + overflowTagValue
              + "'. Ids, raw paths and user input as tag values are the usual cause");
    }
  }

  void budgetFolded(MeterNameState name, long seriesUsed) {
    budgetOverflows.increment();
    name.budgetOverflows.increment();
    if (once(name.budgetWarned)) {
      tell(
          new CardinalityEvent(CardinalityEvent.Kind.SERIES_BUDGET, name.name, null),
          "The series budget of "
              + maxSeries
              + " is full ("
              + seriesUsed
              + " series registered); new tag"
              + " combinations of meter '"
              + name.name
              + "' are recorded under the tag value '"
              + overflowTagValue
              + "'");
    }
  }

  void histogramDroppedForBudget(MeterNameState name, int asked, int kept, long seriesUsed) {
    histogramsDroppedForBudget.increment();
    if (once(name.histogramWarned)) {
      tell(
          new CardinalityEvent(CardinalityEvent.Kind.HISTOGRAM_DROPPED, name.name, null),
          "The series budget of "
              + maxSeries
              + " ("
              + seriesUsed
              + " series registered) has no room for the"
              + " distribution of meter '"
              + name.name
              + "' as asked ("
              + asked
              + " series per meter); its meters"
              + " export "
              + kept
              + ": the percentile histogram goes first, service-level objectives and"
              + " percentiles are kept where they fit");
    }
  }

  void histogramDroppedForShape(MeterNameState name, boolean histogramShape) {
    histogramsDroppedForShape.increment();
    if (once(name.shapeWarned)) {
      tell(
          new CardinalityEvent(CardinalityEvent.Kind.HISTOGRAM_SHAPE, name.name, null),
          "Meter '"
              + name.name
              + "' is registered "
              + (histogramShape ? "with" : "without")
              + " histogram buckets like the meters of that name already there, though it asked otherwise:"
              + " Prometheus exports one name as a histogram or as a summary, never both");
    }
  }

  void expired() {
    metersExpired.increment();
  }

  long histogramsDropped() {
    return histogramsDroppedForBudget.sum() + histogramsDroppedForShape.sum();
  }

  long metersExpired() {
    return metersExpired.sum();
  }

  /** True the first time only; a plain read first, so that later calls write nothing. */
  private static boolean once(AtomicBoolean told) {
    return !told.get() && told.compareAndSet(false, true);
  }

  private void tell(CardinalityEvent event, String message) {
    LOG.log(System.Logger.Level.WARNING, message);
    try {
      listener.accept(event);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "CardinalityGuard listener failed on " + event, e);
    }
  }
}
