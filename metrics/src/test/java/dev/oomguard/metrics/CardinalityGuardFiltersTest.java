package dev.oomguard.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Other filters before and after the guard: Micrometer runs every filter's {@code map} before any
 * {@code accept}, so the guard sees ids that are then denied or rewritten. It must count only the
 * meters that really arrive, as a real scrape shows them, and fold nothing while the budget has
 * room.
 */
class CardinalityGuardFiltersTest {
  static final int OWN_SERIES = CardinalityGuardBudgetTest.OWN_SERIES;

  private final MockClock clock = new MockClock();
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT, new PrometheusRegistry(), clock);
  private final List<CardinalityEvent> events = new ArrayList<>();

  private CardinalityGuard bind(CardinalityGuard.Builder builder) {
    CardinalityGuard guard = builder.listener(events::add).build();
    guard.bindTo(registry);
    return guard;
  }

  /** Room for {@code meters} counters and the overflow meter the budget keeps beside them. */
  private static int roomFor(int meters) {
    return OWN_SERIES + meters + 1;
  }

  private void assertCountsTheScrape(CardinalityGuard guard) {
    assertThat(guard.seriesUsed()).isEqualTo(Scrape.of(registry).series());
  }

  @Test
  void denyFilterAfterTheGuard_deniedLookupsTakeNoRoomFromLaterMeters() {
    CardinalityGuard guard = bind(CardinalityGuard.builder().maxSeries(roomFor(30)));
    registry.config().meterFilter(MeterFilter.denyNameStartsWith("debug"));

    for (int i = 0; i < 80; i++) {
      registry.counter("debug.cache", "key", "k" + i).increment();
      assertCountsTheScrape(guard);
    }
    for (int i = 0; i < 30; i++) {
      registry.counter("jobs", "id", "j" + i).increment();
      assertCountsTheScrape(guard);
    }

    assertThat(registry.find("jobs").counters()).hasSize(30);
    assertThat(registry.find("jobs").tag("id", "OVERFLOW").counter()).isNull();
    assertThat(events).isEmpty();
  }

  @Test
  void denyFilterBeforeTheGuard_deniedLookupsTakeNoRoomFromLaterMeters() {
    registry.config().meterFilter(MeterFilter.denyNameStartsWith("debug"));
    CardinalityGuard guard =
        bind(CardinalityGuard.builder().maxTagValues(30).maxSeries(roomFor(30)));

    for (int i = 0; i < 80; i++) {
      registry.counter("debug.cache", "key", "k" + i);
      registry.counter("jobs", "id", "j" + (i % 30)).increment();
      assertCountsTheScrape(guard);
    }

    assertThat(registry.find("jobs").counters()).hasSize(30);
    assertThat(registry.find("jobs").tag("id", "OVERFLOW").counter()).isNull();
    // Once the jobs fill the budget, the guard folds the debug ids it is shown (which are denied
    // after it): it cannot see the verdict of a filter before it.
    assertThat(events).extracting(CardinalityEvent::meterName).doesNotContain("jobs");
  }

  @Test
  void denyFilterAfterTheGuard_deniedValuesTakeNoTagValueSlots() {
    CardinalityGuard guard = bind(CardinalityGuard.builder().maxTagValues(30));
    registry.config().meterFilter(MeterFilter.deny(id -> "debug".equals(id.getTag("kind"))));

    for (int i = 0; i < 80; i++) {
      registry.counter("tasks", "kind", "debug", "id", "d" + i);
    }
    for (int i = 0; i < 30; i++) {
      registry.counter("tasks", "kind", "job", "id", "j" + i).increment();
      assertCountsTheScrape(guard);
    }

    assertThat(registry.find("tasks").counters()).hasSize(30);
    assertThat(events).isEmpty();
  }

  @Test
  void commonTagsAfterTheGuard_countEachMeterOnce() {
    CardinalityGuard guard = bind(CardinalityGuard.builder().maxSeries(roomFor(40)));
    registry.config().commonTags("app", "shop", "region", "eu");

    for (int i = 0; i < 40; i++) {
      registry.counter("orders", "customer", "c" + i).increment();
      registry.counter("orders", "customer", "c" + i).increment();
      assertCountsTheScrape(guard);
    }

    assertThat(registry.find("orders").tag("app", "shop").counters()).hasSize(40);
    assertThat(registry.find("orders").tag("customer", "OVERFLOW").counter()).isNull();
    assertThat(guard.seriesReserved()).isZero();
    assertThat(events).isEmpty();
  }

  @Test
  void commonTagsAfterTheGuard_foldOnlyWhenTheBudgetIsReallyFull() {
    CardinalityGuard guard = bind(CardinalityGuard.builder().maxSeries(OWN_SERIES + 20));
    registry.config().commonTags("app", "shop");

    for (int i = 0; i < 40; i++) {
      registry.counter("orders", "customer", "c" + i).increment();
      assertCountsTheScrape(guard);
    }

    // Nineteen values and the overflow meter: the last series of the budget went to overflow.
    assertThat(Scrape.of(registry).series()).isEqualTo(OWN_SERIES + 20);
    assertThat(registry.get("orders").tags("app", "shop", "customer", "OVERFLOW").counter().count())
        .isEqualTo(21.0);
  }

  @Test
  void ignoreTagsAfterTheGuard_ignoredValuesTakeNoSlotsOrSeries() {
    CardinalityGuard guard =
        bind(CardinalityGuard.builder().maxTagValues(5).maxSeries(OWN_SERIES + 5));
    registry.config().meterFilter(MeterFilter.ignoreTags("uri"));

    for (int i = 0; i < 50; i++) {
      registry.counter("requests", "uri", "/items/" + i, "method", "GET").increment();
      assertCountsTheScrape(guard);
    }
    for (String method : List.of("PUT", "POST", "DELETE")) {
      registry.counter("requests", "uri", "/", "method", method).increment();
      assertCountsTheScrape(guard);
    }

    assertThat(registry.get("requests").tag("method", "GET").counter().count()).isEqualTo(50.0);
    assertThat(registry.find("requests").counters()).hasSize(4);
    assertThat(registry.find("requests").tag("method", "OVERFLOW").counter()).isNull();
    assertThat(events).isEmpty();
  }

  @Test
  void deniedRegistrationOnAnotherThread_isGivenBackAfterTheReservationTimeout() throws Exception {
    CardinalityGuard guard = bind(CardinalityGuard.builder().maxSeries(roomFor(2)));
    registry.config().meterFilter(MeterFilter.denyNameStartsWith("debug"));
    Thread other = new Thread(() -> registry.counter("debug.cache", "key", "k"));
    other.start();
    other.join();
    assertThat(guard.seriesReserved()).isEqualTo(1);

    clock.add(Folding.RESERVATION_TIMEOUT);
    registry.counter("jobs", "id", "a").increment();
    registry.counter("jobs", "id", "b").increment();

    assertThat(registry.find("jobs").tag("id", "OVERFLOW").counter()).isNull();
    assertThat(guard.seriesReserved()).isZero();
    assertCountsTheScrape(guard);
  }

  /**
   * Spring Boot's order: the guard's filter, then a common-tags filter. 5,000 distinct values on a
   * timer with a percentile histogram: the budget is full only when the scrape says so.
   */
  @Test
  void bootBindingOrder_histogramTimerWithFiveThousandValues_budgetNeverFalselyFull() {
    CardinalityGuard guard =
        bind(CardinalityGuard.builder().maxTagValues("http.server.requests", "uri", 5_000));
    registry.config().commonTags("application", "shop");

    for (int i = 0; i < 5_000; i++) {
      Timer.builder("http.server.requests")
          .tag("uri", "/items/" + i)
          .tag("method", "GET")
          .publishPercentileHistogram()
          .register(registry)
          .record(Duration.ofMillis(i % 100));
    }

    Scrape scrape = Scrape.of(registry);
    assertThat(guard.seriesUsed()).isEqualTo(scrape.series());
    int perTimer = 72;
    // Full means no room for one more timer: within one timer (and the overflow meter's) of the
    // budget.
    assertThat(scrape.series())
        .isBetween(
            CardinalityGuard.DEFAULT_MAX_SERIES - 2 * perTimer,
            CardinalityGuard.DEFAULT_MAX_SERIES);
    assertThat(scrape.sum("http_server_requests_seconds_count")).isEqualTo(5_000.0);
    assertThat(events)
        .containsExactly(
            new CardinalityEvent(
                CardinalityEvent.Kind.SERIES_BUDGET, "http.server.requests", null));
  }

  @Test
  void lookupOfAKnownMeter_throughAFilterBeforeTheGuard_reservesNothing() {
    registry.config().meterFilter(MeterFilter.renameTag("orders", "client", "customer"));
    CardinalityGuard guard = bind(CardinalityGuard.builder().maxSeries(OWN_SERIES + 1));
    Counter counter = registry.counter("orders", "customer", "a");

    for (int i = 0; i < 10; i++) {
      assertThat(registry.counter("orders", "client", "a")).isSameAs(counter);
    }

    assertThat(guard.seriesReserved()).isZero();
    assertCountsTheScrape(guard);
  }
}
