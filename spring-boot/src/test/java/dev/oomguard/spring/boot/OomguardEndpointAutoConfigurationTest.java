package dev.oomguard.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.task.AsyncTaskExecutor;

class OomguardEndpointAutoConfigurationTest {
  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  OomguardEndpointAutoConfiguration.class,
                  EndpointAutoConfiguration.class,
                  TaskExecutionGuardAutoConfiguration.class,
                  TaskExecutionAutoConfiguration.class,
                  CardinalityGuardAutoConfiguration.class,
                  MemoryGuardAutoConfiguration.class,
                  MetricsAutoConfiguration.class,
                  SimpleMetricsExportAutoConfiguration.class))
          .withPropertyValues("management.metrics.use-global-registry=false");

  @Test
  void endpoint_notExposed_isNotThere() {
    runner.run(context -> assertThat(context).doesNotHaveBean(OomguardEndpoint.class));
  }

  @Test
  void endpoint_withoutActuator_isNotThere() {
    runner
        .withClassLoader(new FilteredClassLoader(Endpoint.class))
        .withPropertyValues("management.endpoints.web.exposure.include=oomguard")
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(OomguardEndpoint.class));
  }

  @Test
  @SuppressWarnings("unchecked")
  void endpoint_exposed_reportsEachPartThatIsOn() {
    runner
        .withPropertyValues(
            "management.endpoints.web.exposure.include=oomguard",
            "oomguard.task.execution.queue-capacity=5",
            "oomguard.memory.limit=1TB")
        .run(
            context -> {
              context.getBean(AsyncTaskExecutor.class).submit(() -> null).get(10, TimeUnit.SECONDS);
              context.getBean(MeterRegistry.class).counter("orders", "id", "1").increment();
              Map<String, Object> report = context.getBean(OomguardEndpoint.class).report();
              assertThat(report)
                  .containsOnlyKeys("cardinality", "memorySizing", "executors", "gzipCodecs");
              Map<String, Object> cardinality = (Map<String, Object>) report.get("cardinality");
              assertThat(cardinality).containsEntry("maxSeries", 10_000L);
              assertThat((List<Map<String, Object>>) cardinality.get("meterNames"))
                  .anySatisfy(name -> assertThat(name).containsEntry("name", "orders"));
              assertThat((Map<String, Object>) report.get("memorySizing"))
                  .containsEntry("verdict", "FITS")
                  .containsEntry("limitBytes", 1L << 40)
                  .containsKeys("maxHeapBytes", "nonHeapBytes", "nonHeap", "advice");
              assertThat((List<Map<String, Object>>) report.get("executors"))
                  .singleElement()
                  .satisfies(
                      pool -> {
                        assertThat(pool)
                            .containsEntry("name", "task")
                            .containsEntry("queueCapacity", 5)
                            .containsEntry("queueSize", 0)
                            .containsEntry("rejected", 0L)
                            .containsKeys("completed", "expired", "discarded", "failed");
                      });
              assertThat((List<?>) report.get("gzipCodecs")).isEmpty();
            });
  }

  @Test
  void endpoint_withPartsOff_leavesThemOut() {
    runner
        .withPropertyValues(
            "management.endpoints.web.exposure.include=oomguard",
            "oomguard.metrics.cardinality.enabled=false",
            "oomguard.memory.enabled=false",
            "oomguard.task.execution.enabled=false")
        .run(
            context -> {
              Map<String, Object> report = context.getBean(OomguardEndpoint.class).report();
              assertThat(report).doesNotContainKeys("cardinality", "memorySizing");
              assertThat((List<?>) report.get("executors")).isEmpty();
            });
  }
}
