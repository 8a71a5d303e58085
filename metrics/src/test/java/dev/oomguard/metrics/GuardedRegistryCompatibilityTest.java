package dev.oomguard.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.simple.SimpleConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.core.tck.MeterRegistryCompatibilityKit;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.TestInfo;

/**
 * Micrometer's own compatibility kit on guarded registries: what a registry promises its users must
 * still hold with the guard bound, at its defaults, with limits the kit's meters run into, and with
 * idle expiry on.
 */
class GuardedRegistryCompatibilityTest {
  static MeterRegistry simple() {
    return new SimpleMeterRegistry(SimpleConfig.DEFAULT, new MockClock());
  }

  static MeterRegistry prometheus() {
    return new PrometheusMeterRegistry(
        PrometheusConfig.DEFAULT, new PrometheusRegistry(), new MockClock());
  }

  /** Simple and Prometheus children, as Spring Boot builds it with two backends. */
  static MeterRegistry composite() {
    MockClock clock = new MockClock();
    CompositeMeterRegistry composite = new CompositeMeterRegistry(clock);
    composite.add(new SimpleMeterRegistry(SimpleConfig.DEFAULT, clock));
    composite.add(
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT, new PrometheusRegistry(), clock));
    return composite;
  }

  static CardinalityGuard defaults() {
    return CardinalityGuard.builder().build();
  }

  /** Two values per tag key and room for few histograms: the kit's meters reach both limits. */
  static CardinalityGuard tight() {
    return CardinalityGuard.builder().maxTagValues(2).maxSeries(150).build();
  }

  /** Expiry at the kit's step, at its default scope, with tight caps so that names fold. */
  static CardinalityGuard expiring() {
    return CardinalityGuard.builder()
        .maxTagValues(2)
        .expireIdleAfter(Duration.ofMinutes(1))
        .build();
  }

  abstract static class Guarded extends MeterRegistryCompatibilityKit {
    private final Supplier<MeterRegistry> newRegistry;
    private final Supplier<CardinalityGuard> newGuard;

    Guarded(Supplier<MeterRegistry> newRegistry, Supplier<CardinalityGuard> newGuard) {
      this.newRegistry = newRegistry;
      this.newGuard = newGuard;
    }

    private @Nullable CardinalityGuard bound;

    @Override
    public MeterRegistry registry() {
      MeterRegistry guarded = newRegistry.get();
      bound = newGuard.get();
      bound.bindTo(guarded);
      return guarded;
    }

    /**
     * After every kit test, the guard's series count is what a real Prometheus scrape shows. Not
     * checked when a gauge's object is gone: it stays registered (so counted), and whether the
     * scrape shows its NaN depends on when the collector last saw it.
     */
    @AfterEach
    void seriesUsed_equalsThePrometheusScrape(TestInfo test) {
      PrometheusMeterRegistry prometheus = prometheusOf(registry);
      boolean gaugeWithoutObject =
          test.getTestMethod()
              .map(m -> m.getName().equals("garbageCollectedSourceObject"))
              .orElse(false);
      if (prometheus != null && !gaugeWithoutObject) {
        assertThat(Objects.requireNonNull(bound).seriesUsed())
            .isEqualTo(Scrape.of(prometheus).series());
      }
    }

    private static @Nullable PrometheusMeterRegistry prometheusOf(MeterRegistry registry) {
      if (registry instanceof PrometheusMeterRegistry) {
        return (PrometheusMeterRegistry) registry;
      }
      if (registry instanceof CompositeMeterRegistry) {
        for (MeterRegistry child : ((CompositeMeterRegistry) registry).getRegistries()) {
          if (child instanceof PrometheusMeterRegistry) {
            return (PrometheusMeterRegistry) child;
          }
        }
      }
      return null;
    }

    @Override
    public Duration step() {
      return Duration.ofMinutes(1);
    }
  }

  @Nested
  class SimpleDefaults extends Guarded {
    SimpleDefaults() {
      super(GuardedRegistryCompatibilityTest::simple, GuardedRegistryCompatibilityTest::defaults);
    }
  }

  @Nested
  class SimpleTight extends Guarded {
    SimpleTight() {
      super(GuardedRegistryCompatibilityTest::simple, GuardedRegistryCompatibilityTest::tight);
    }
  }

  @Nested
  class SimpleExpiring extends Guarded {
    SimpleExpiring() {
      super(GuardedRegistryCompatibilityTest::simple, GuardedRegistryCompatibilityTest::expiring);
    }
  }

  @Nested
  class PrometheusDefaults extends Guarded {
    PrometheusDefaults() {
      super(
          GuardedRegistryCompatibilityTest::prometheus, GuardedRegistryCompatibilityTest::defaults);
    }
  }

  @Nested
  class PrometheusTight extends Guarded {
    PrometheusTight() {
      super(GuardedRegistryCompatibilityTest::prometheus, GuardedRegistryCompatibilityTest::tight);
    }
  }

  @Nested
  class PrometheusExpiring extends Guarded {
    PrometheusExpiring() {
      super(
          GuardedRegistryCompatibilityTest::prometheus, GuardedRegistryCompatibilityTest::expiring);
    }
  }

  @Nested
  class CompositeDefaults extends Guarded {
    CompositeDefaults() {
      super(
          GuardedRegistryCompatibilityTest::composite, GuardedRegistryCompatibilityTest::defaults);
    }
  }

  @Nested
  class CompositeTight extends Guarded {
    CompositeTight() {
      super(GuardedRegistryCompatibilityTest::composite, GuardedRegistryCompatibilityTest::tight);
    }
  }

  @Nested
  class CompositeExpiring extends Guarded {
    CompositeExpiring() {
      super(
          GuardedRegistryCompatibilityTest::composite, GuardedRegistryCompatibilityTest::expiring);
    }
  }
}
