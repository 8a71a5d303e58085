package dev.oomguard.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomguard.metrics.memory.MemorySizing;
import dev.oomguard.metrics.memory.NativeMemoryMetrics;
import dev.oomguard.metrics.memory.ProcessMemoryMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class MemoryGuardAutoConfigurationTest {
  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  MemoryGuardAutoConfiguration.class,
                  MemoryHeadroomHealthAutoConfiguration.class,
                  MetricsAutoConfiguration.class,
                  SimpleMetricsExportAutoConfiguration.class))
          .withPropertyValues("management.metrics.use-global-registry=false");

  @Test
  void memoryMeters_byDefault_areBoundToBootsRegistry() {
    runner.run(
        context -> {
          assertThat(context)
              .hasSingleBean(ProcessMemoryMetrics.class)
              .hasSingleBean(NativeMemoryMetrics.class);
          assertThat(context.getBean(MeterRegistry.class).get("process.memory.rss").gauge().value())
              .isPositive();
        });
  }

  @Test
  void memoryMeters_andHealth_theApplicationsOwn_areUsedInstead() {
    ProcessMemoryMetrics own = new ProcessMemoryMetrics();
    HealthIndicator ownHealth = () -> Health.up().withDetail("own", true).build();
    runner
        .withBean(ProcessMemoryMetrics.class, () -> own)
        .withBean("memoryHeadroomHealthIndicator", HealthIndicator.class, () -> ownHealth)
        .run(
            context -> {
              assertThat(context.getBean(ProcessMemoryMetrics.class)).isSameAs(own);
              assertThat(context.getBean("memoryHeadroomHealthIndicator")).isSameAs(ownHealth);
            });
  }

  @Test
  void memory_whenDisabled_hasNoMetersCheckOrHealth() {
    runner
        .withPropertyValues("oomguard.memory.enabled=false")
        .run(
            context -> {
              assertThat(context)
                  .doesNotHaveBean(ProcessMemoryMetrics.class)
                  .doesNotHaveBean(MemorySizingCheck.class)
                  .doesNotHaveBean("memoryHeadroomHealthIndicator");
            });
  }

  @Test
  void memoryHeadroom_whenOffInActuatorsWay_isNotThere() {
    runner
        .withPropertyValues("management.health.memory-headroom.enabled=false")
        .run(
            context -> {
              assertThat(context)
                  .doesNotHaveBean("memoryHeadroomHealthIndicator")
                  .hasSingleBean(ProcessMemoryMetrics.class);
            });
  }

  @Test
  void memoryHeadroom_withoutBootsHealth_isNotThere() {
    runner
        .withClassLoader(new FilteredClassLoader(HealthIndicator.class))
        .run(
            context -> {
              assertThat(context).hasNotFailed().doesNotHaveBean("memoryHeadroomHealthIndicator");
            });
  }

  @Test
  void memoryHeadroom_farBelowTheLimit_isUpWithTheNumbers() {
    runner
        .withPropertyValues("oomguard.memory.limit=1TB")
        .run(
            context -> {
              Health health =
                  context.getBean("memoryHeadroomHealthIndicator", HealthIndicator.class).health();
              assertThat(health.getStatus()).isEqualTo(Status.UP);
              assertThat(health.getDetails())
                  .containsEntry("limitBytes", 1L << 40)
                  .containsEntry("limitSource", "oomguard.memory.limit")
                  .containsKeys("rssBytes", "headroomBytes", "headroom", "minHeadroom");
              assertThat((Long) health.getDetails().get("rssBytes")).isPositive();
            });
  }

  @Test
  void memoryHeadroom_overTheLimit_isOutOfService() {
    runner
        .withPropertyValues("oomguard.memory.limit=1MB")
        .run(
            context -> {
              Health health =
                  context.getBean("memoryHeadroomHealthIndicator", HealthIndicator.class).health();
              assertThat(health.getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
              assertThat((Long) health.getDetails().get("headroomBytes")).isNegative();
            });
  }

  @Test
  void memoryHeadroom_belowTheMinimumWithDownConfigured_isDown() {
    runner
        .withPropertyValues("oomguard.memory.limit=1MB", "oomguard.memory.health-status=down")
        .run(
            context -> {
              assertThat(
                      context
                          .getBean("memoryHeadroomHealthIndicator", HealthIndicator.class)
                          .health()
                          .getStatus())
                  .isEqualTo(Status.DOWN);
            });
  }

  @Test
  void memorySizingCheck_takesTheLimitFromTheProperties() {
    runner
        .withPropertyValues("oomguard.memory.limit=1MB")
        .run(
            context -> {
              MemorySizing.Report report = context.getBean(MemorySizingCheck.class).inspect();
              assertThat(report.limitBytes()).hasValue(1L << 20);
              assertThat(report.verdict()).isEqualTo(MemorySizing.Verdict.DOES_NOT_FIT);
            });
  }

  @Test
  void memorySizingCheck_minHeadroomOutOfRange_failsNamingIt() {
    runner
        .withPropertyValues("oomguard.memory.min-headroom=1.5")
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(context.getStartupFailure())
                  .rootCause()
                  .hasMessageContaining("minHeadroom must be in [0, 1), was 1.5");
            });
  }
}
