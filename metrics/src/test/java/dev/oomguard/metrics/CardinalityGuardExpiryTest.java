package dev.oomguard.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.simple.CountingMode;
import io.micrometer.core.instrument.simple.SimpleConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class CardinalityGuardExpiryTest {
  static final Duration IDLE = Duration.ofMinutes(10);

  private final MockClock clock = new MockClock();
  private final MeterRegistry registry = new SimpleMeterRegistry(SimpleConfig.DEFAULT, clock);
  private final CardinalityGuard guard =
      CardinalityGuard.builder()
          .maxTagValues(2)
          .expireIdleAfter(IDLE)
          .expireIdleMetersNamed("orders")
          .build();

  CardinalityGuardExpiryTest() {
    guard.bindTo(registry);
  }

  @Test
  void report_afterTheIdleTime_hasRemovedMetersWhoseCountDidNotChange() {
    Counter busy = registry.counter("orders", "customer", "busy");
    registry.counter("orders", "customer", "idle").increment();
    busy.increment();
    clock.add(Duration.ofMinutes(1));
    guard.report();

    clock.add(Duration.ofMinutes(6));
    busy.increment();
    clock.add(Duration.ofMinutes(6));
    guard.report();

    assertThat(registry.find("orders").counters()).containsExactly(busy);
  }

  @Test
  void stepRegistry_keepsAMeterUsedAtASteadyRateAndExpiresAnIdleOne() {
    MockClock stepClock = new MockClock();
    MeterRegistry step =
        new SimpleMeterRegistry(
            new SimpleConfig() {
              @Override
              public @Nullable String get(String key) {
                return null;
              }

              @Override
              public CountingMode mode() {
                return CountingMode.STEP;
              }

              @Override
              public Duration step() {
                return Duration.ofMinutes(1);
              }
            },
            stepClock);
    CardinalityGuard stepGuard =
        CardinalityGuard.builder().expireIdleAfter(IDLE).expireIdleMetersNamed("orders").build();
    stepGuard.bindTo(step);
    step.counter("orders", "customer", "once").increment();
    Counter steady = step.counter("orders", "customer", "steady");

    for (int minute = 0; minute < 30; minute++) {
      steady.increment(10); // the same count every step
      stepClock.add(Duration.ofMinutes(1));
      stepGuard.report(); // runs the sweep
    }

    assertThat(step.find("orders").counters()).containsExactly(steady);
  }

  @Test
  void report_beforeTheIdleTime_keepsEveryMeter() {
    registry.counter("orders", "customer", "a");
    registry.counter("orders", "customer", "b");

    clock.add(IDLE.minusSeconds(1));
    guard.report();

    assertThat(registry.find("orders").counters()).hasSize(2);
  }

  @Test
  void expiry_countsExpiredMeters() {
    registry.counter("orders", "customer", "a");
    registry.counter("orders", "customer", "b");

    clock.add(IDLE);

    assertThat(guard.report().metersExpired()).isEqualTo(2);
    assertThat(registry.get(CardinalityGuard.METERS_EXPIRED).functionCounter().count())
        .isEqualTo(2.0);
  }

  @Test
  void lookup_ofAnExpiredMeter_startsAgainFromZero() {
    Counter before = registry.counter("orders", "customer", "a");
    before.increment(5);
    guard.report();
    clock.add(IDLE);
    guard.report();

    Counter after = registry.counter("orders", "customer", "a");

    assertThat(after).isNotSameAs(before);
    assertThat(after.count()).isZero();
  }

  @Test
  void expiry_freesTagValueSlotsForNewValues() {
    registry.counter("orders", "customer", "a");
    registry.counter("orders", "customer", "b");
    clock.add(IDLE);
    guard.report();

    registry.counter("orders", "customer", "c").increment();

    assertThat(registry.get("orders").tag("customer", "c").counter().count()).isEqualTo(1.0);
    assertThat(registry.find("orders").tag("customer", "OVERFLOW").counter()).isNull();
  }

  @Test
  void registration_afterTheIdleTime_expiresIdleMetersWithoutAReport() {
    registry.counter("orders", "customer", "a");
    clock.add(IDLE);

    registry.counter("refunds", "customer", "b");

    assertThat(registry.find("orders").counters()).isEmpty();
  }

  @Test
  void expiry_leavesGaugesAndTheGuardsOwnMeters() {
    AtomicInteger queue = new AtomicInteger(7);
    registry.gauge("queue.size", queue);
    clock.add(IDLE.multipliedBy(3));
    guard.report();

    assertThat(registry.get("queue.size").gauge().value()).isEqualTo(7.0);
    assertThat(registry.get(CardinalityGuard.SERIES_MAX).gauge().value())
        .isEqualTo(guard.maxSeries());
  }

  @Test
  void expiry_onPrometheus_removesTheSeriesFromTheScrape() {
    MockClock prometheusClock = new MockClock();
    PrometheusMeterRegistry prometheus =
        new PrometheusMeterRegistry(
            PrometheusConfig.DEFAULT, new PrometheusRegistry(), prometheusClock);
    CardinalityGuard prometheusGuard =
        CardinalityGuard.builder().expireIdleAfter(IDLE).expireIdleMetersNamed("orders").build();
    prometheusGuard.bindTo(prometheus);
    prometheus.counter("orders", "customer", "a").increment();
    prometheus.counter("orders", "customer", "b").increment();
    prometheusGuard.report();
    prometheusClock.add(IDLE);
    prometheus.counter("orders", "customer", "b").increment();
    prometheusGuard.report();

    assertThat(Scrape.of(prometheus).samples("orders_total"))
        .singleElement()
        .asString()
        .contains("customer=\"b\"");
  }

  @Test
  void expiry_onAComposite_removesTheMeterFromItsChildren() {
    MockClock compositeClock = new MockClock();
    SimpleMeterRegistry child = new SimpleMeterRegistry(SimpleConfig.DEFAULT, compositeClock);
    CompositeMeterRegistry composite = new CompositeMeterRegistry(compositeClock);
    composite.add(child);
    CardinalityGuard compositeGuard =
        CardinalityGuard.builder().expireIdleAfter(IDLE).expireIdleMetersNamed("orders").build();
    compositeGuard.bindTo(composite);
    composite.counter("orders", "customer", "a").increment();
    compositeGuard.report();

    compositeClock.add(IDLE);
    compositeGuard.report();

    assertThat(composite.find("orders").counters()).isEmpty();
    assertThat(child.find("orders").counters()).isEmpty();
  }

  @Test
  void expiry_byDefault_neverRemovesAMeterKeptInAField() {
    CardinalityGuard scoped =
        CardinalityGuard.builder().maxTagValues(2).expireIdleAfter(IDLE).build();
    MeterRegistry simple = new SimpleMeterRegistry(SimpleConfig.DEFAULT, clock);
    scoped.bindTo(simple);
    Counter started = simple.counter("jobs.started");
    Counter byKind = simple.counter("jobs.done", "kind", "import");
    started.increment();
    byKind.increment();

    for (int i = 0; i < 5; i++) {
      clock.add(IDLE);
      scoped.report();
      simple.counter("other" + i);
    }

    assertThat(simple.find("jobs.started").counters()).containsExactly(started);
    assertThat(simple.find("jobs.done").counters()).containsExactly(byKind);
    assertThat(scoped.report().metersExpired()).isZero();
  }

  @Test
  void expiry_byDefault_removesIdleMetersOfANameWhoseTagsFolded() {
    CardinalityGuard scoped =
        CardinalityGuard.builder().maxTagValues(2).expireIdleAfter(IDLE).build();
    MeterRegistry simple = new SimpleMeterRegistry(SimpleConfig.DEFAULT, clock);
    scoped.bindTo(simple);
    Counter kept = simple.counter("jobs.started");
    for (String user : new String[] {"a", "b", "c"}) {
      simple.counter("logins", "user", user).increment();
    }
    scoped.report();

    clock.add(IDLE);
    scoped.report();

    assertThat(simple.find("logins").counters()).isEmpty();
    assertThat(simple.find("jobs.started").counters()).containsExactly(kept);
  }

  @Test
  void expiry_scopedToATagKey_removesOnlyMetersCarryingIt() {
    CardinalityGuard scoped =
        CardinalityGuard.builder().expireIdleAfter(IDLE).expireIdleMetersTagged("visitor").build();
    MeterRegistry simple = new SimpleMeterRegistry(SimpleConfig.DEFAULT, clock);
    scoped.bindTo(simple);
    Counter kept = simple.counter("requests", "uri", "/a");
    simple.counter("requests", "visitor", "v1");

    clock.add(IDLE);
    scoped.report();

    assertThat(simple.find("requests").counters()).containsExactly(kept);
  }

  @Test
  void expiry_scopedToANamePrefix_leavesOtherNames() {
    CardinalityGuard scoped =
        CardinalityGuard.builder().expireIdleAfter(IDLE).expireIdleMetersNamed("cache.").build();
    MeterRegistry simple = new SimpleMeterRegistry(SimpleConfig.DEFAULT, clock);
    scoped.bindTo(simple);
    simple.counter("cache.gets", "key", "k1");
    Counter kept = simple.counter("cachegets.total");

    clock.add(IDLE);
    scoped.report();

    assertThat(simple.find("cache.gets").counters()).isEmpty();
    assertThat(simple.find("cachegets.total").counters()).containsExactly(kept);
  }

  @Test
  void expiry_ofTheOverflowMeter_letsItsFirstValueUnfoldOnceThereIsRoom() {
    CardinalityGuard scoped =
        CardinalityGuard.builder().maxTagValues(1).expireIdleAfter(IDLE).build();
    MeterRegistry simple = new SimpleMeterRegistry(SimpleConfig.DEFAULT, clock);
    scoped.bindTo(simple);
    simple.counter("logins", "user", "a").increment();
    simple
        .counter("logins", "user", "b")
        .increment(); // creates the overflow meter; Micrometer caches b -> it
    scoped.report();

    clock.add(IDLE);
    scoped.report();
    simple.counter("logins", "user", "b").increment();

    assertThat(simple.get("logins").tag("user", "b").counter().count()).isEqualTo(1.0);
  }
}
