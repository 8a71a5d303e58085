package dev.oomguard.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomguard.metrics.CardinalityGuard;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MeterRegistryCustomizer;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusMetricsExportAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class CardinalityGuardAutoConfigurationTest {
  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  CardinalityGuardAutoConfiguration.class,
                  MetricsAutoConfiguration.class,
                  CompositeMeterRegistryAutoConfiguration.class,
                  SimpleMetricsExportAutoConfiguration.class))
          .withPropertyValues("management.metrics.use-global-registry=false");

  @Test
  void guard_onBootsOnlyRegistry_foldsExcessTagValues() {
    runner
        .withPropertyValues("oomguard.metrics.cardinality.max-tag-values=10")
        .run(
            context -> {
              MeterRegistry registry = context.getBean(MeterRegistry.class);
              assertThat(context.getBean(CardinalityGuardBinding.class).registry())
                  .containsSame(registry);
              for (int i = 0; i < 50; i++) {
                registry.counter("orders", "id", "id-" + i).increment();
              }
              assertThat(registry.find("orders").counters()).hasSize(11);
              assertThat(registry.get("orders").tag("id", "OVERFLOW").counter().count())
                  .isEqualTo(40);
              assertThat(registry.get("cardinality.series.max").gauge().value()).isEqualTo(10_000);
            });
  }

  @Test
  void guard_afterBootsCommonTags_countsTheIdsThatAreRegistered() {
    runner
        .withPropertyValues(
            "oomguard.metrics.cardinality.max-tag-values=5", "management.metrics.tags.region=eu")
        .run(
            context -> {
              MeterRegistry registry = context.getBean(MeterRegistry.class);
              for (int i = 0; i < 20; i++) {
                registry.counter("orders", "id", "id-" + i).increment();
              }
              List<Counter> orders = List.copyOf(registry.find("orders").counters());
              assertThat(orders)
                  .hasSize(6)
                  .allSatisfy(
                      counter -> assertThat(counter.getId().getTag("region")).isEqualTo("eu"));
              assertThat(orders.stream().mapToDouble(Counter::count).sum()).isEqualTo(20);
              // The guard was given the ids with the common tag: the single-valued key is not
              // capped.
              assertThat(context.getBean(CardinalityGuardBinding.class).report().meterNames())
                  .filteredOn(name -> name.name().equals("orders"))
                  .singleElement()
                  .satisfies(
                      name ->
                          assertThat(name.tagKeys())
                              .anySatisfy(
                                  key -> {
                                    assertThat(key.key()).isEqualTo("region");
                                    assertThat(key.distinctValues()).isEqualTo(1);
                                  }));
            });
  }

  @Test
  void guard_withTwoRegistries_isBoundToBootsCompositeOnly() {
    runner
        .withConfiguration(AutoConfigurations.of(PrometheusMetricsExportAutoConfiguration.class))
        .withBean(SimpleMeterRegistry.class, SimpleMeterRegistry::new)
        .withPropertyValues("oomguard.metrics.cardinality.max-tag-values=3")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              MeterRegistry primary = context.getBean(MeterRegistry.class);
              assertThat(primary).isInstanceOf(CompositeMeterRegistry.class);
              assertThat(context.getBean(CardinalityGuardBinding.class).registry())
                  .containsSame(primary);
              for (int i = 0; i < 10; i++) {
                primary.counter("orders", "id", "id-" + i).increment();
              }
              PrometheusMeterRegistry prometheus = context.getBean(PrometheusMeterRegistry.class);
              SimpleMeterRegistry simple = context.getBean(SimpleMeterRegistry.class);
              for (MeterRegistry child : List.of(prometheus, simple)) {
                assertThat(child.find("orders").counters()).hasSize(4);
                assertThat(child.get("orders").tag("id", "OVERFLOW").counter().count())
                    .isEqualTo(7);
              }
            });
  }

  @Test
  void guard_withPrometheusConfiguredButNotOnTheClasspath_isBoundToTheSimpleRegistry() {
    runner
        .withConfiguration(AutoConfigurations.of(PrometheusMetricsExportAutoConfiguration.class))
        .withClassLoader(new FilteredClassLoader(PrometheusMeterRegistry.class))
        .run(
            context -> {
              assertThat(context).hasNotFailed().doesNotHaveBean(PrometheusMeterRegistry.class);
              assertThat(context.getBean(CardinalityGuardBinding.class).registry())
                  .containsInstanceOf(SimpleMeterRegistry.class);
            });
  }

  /** The trap the starter avoids: Boot applies a customizer to the composite and to each child. */
  @Test
  void meterRegistryCustomizer_bindingAGuard_failsOnBootsComposite() {
    new ApplicationContextRunner()
        .withConfiguration(
            AutoConfigurations.of(
                MetricsAutoConfiguration.class,
                CompositeMeterRegistryAutoConfiguration.class,
                SimpleMetricsExportAutoConfiguration.class,
                PrometheusMetricsExportAutoConfiguration.class))
        .withPropertyValues("management.metrics.use-global-registry=false")
        .withBean(SimpleMeterRegistry.class, SimpleMeterRegistry::new)
        .withUserConfiguration(CustomizerBinding.class)
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(context.getStartupFailure())
                  .rootCause()
                  .hasMessageContaining("CardinalityGuard is already bound");
            });
  }

  @Test
  void guard_whenDisabled_isNotThere() {
    runner
        .withPropertyValues("oomguard.metrics.cardinality.enabled=false")
        .run(
            context -> {
              assertThat(context).doesNotHaveBean(CardinalityGuardBinding.class);
              assertThat(
                      context.getBean(MeterRegistry.class).find("cardinality.series.max").gauge())
                  .isNull();
            });
  }

  @Test
  void guard_whenTheApplicationHasOne_backsOff() {
    runner
        .withBean(CardinalityGuard.class, () -> CardinalityGuard.builder().build())
        .run(
            context -> {
              assertThat(context).doesNotHaveBean(CardinalityGuardBinding.class);
            });
  }

  @Test
  void guard_withoutBootsMetrics_isNotThere() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(CardinalityGuardAutoConfiguration.class))
        .withClassLoader(new FilteredClassLoader(MetricsAutoConfiguration.class))
        .run(
            context -> {
              assertThat(context).hasNotFailed().doesNotHaveBean(CardinalityGuardBinding.class);
            });
  }

  @Test
  void guard_overridesAndBudget_areApplied() {
    runner
        .withPropertyValues(
            "oomguard.metrics.cardinality.max-tag-values=2",
            "oomguard.metrics.cardinality.overrides[0].meter-name-prefix=http.server",
            "oomguard.metrics.cardinality.overrides[0].tag-key=uri",
            "oomguard.metrics.cardinality.overrides[0].max-values=4",
            "oomguard.metrics.cardinality.max-series=500",
            "oomguard.metrics.cardinality.overflow-tag-value=OTHER")
        .run(
            context -> {
              MeterRegistry registry = context.getBean(MeterRegistry.class);
              for (int i = 0; i < 10; i++) {
                registry.counter("http.server.requests", "uri", "/u" + i).increment();
                registry.counter("jobs", "uri", "/u" + i).increment();
              }
              assertThat(registry.find("http.server.requests").counters()).hasSize(5);
              assertThat(registry.find("jobs").counters()).hasSize(3);
              assertThat(registry.get("jobs").tag("uri", "OTHER").counter().count()).isEqualTo(8);
              assertThat(registry.get("cardinality.series.max").gauge().value()).isEqualTo(500);
            });
  }

  @Test
  void guard_expireIdleAfterWithATagScope_removesIdleMetersInScopeOnBootsClock() {
    runner
        .withBean(Clock.class, MockClock::new)
        .withPropertyValues(
            "oomguard.metrics.cardinality.expire-idle-after=1m",
            "oomguard.metrics.cardinality.expire-idle-meters-tagged=id")
        .run(
            context -> {
              MeterRegistry registry = context.getBean(MeterRegistry.class);
              MockClock clock = (MockClock) context.getBean(Clock.class);
              registry.counter("jobs", "id", "once").increment();
              registry.counter("startups").increment(); // kept in a field by its code: out of scope
              CardinalityGuardBinding binding = context.getBean(CardinalityGuardBinding.class);
              for (int sweep = 0; sweep < 5 && registry.find("jobs").counter() != null; sweep++) {
                clock.add(Duration.ofSeconds(61));
                binding.report();
              }
              assertThat(registry.find("jobs").counter()).isNull();
              assertThat(registry.find("startups").counter()).as("outside the scope").isNotNull();
              assertThat(binding.report().metersExpired()).isEqualTo(1);
            });
  }

  @Test
  void guard_expireScopeWithoutExpireIdleAfter_failsAtStartUp() {
    runner
        .withPropertyValues("oomguard.metrics.cardinality.expire-idle-meters-named=jobs")
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(context.getStartupFailure())
                  .rootCause()
                  .hasMessageContaining("expireIdleAfter");
            });
  }

  @Test
  void guard_maxSeriesZero_failsNamingIt() {
    runner
        .withPropertyValues("oomguard.metrics.cardinality.max-series=0")
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(context.getStartupFailure())
                  .rootCause()
                  .hasMessageContaining("maxSeries must be at least 1, was 0");
            });
  }

  @Configuration(proxyBeanMethods = false)
  static class CustomizerBinding {
    final CardinalityGuard guard = CardinalityGuard.builder().build();

    @Bean
    MeterRegistryCustomizer<MeterRegistry> bindGuard() {
      return guard::bindTo;
    }
  }
}
