package dev.oomguard.spring.boot;

import dev.oomguard.metrics.memory.MemorySizing;
import dev.oomguard.metrics.memory.NativeMemoryMetrics;
import dev.oomguard.metrics.memory.ProcessMemoryMetrics;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Whole-process memory (incident 2): RSS, swap, the container limit and headroom, NMT categories as
 * meters (Boot binds them to its registry), and the sizing check logged once the application is
 * ready, when its threads and classes are there to be counted.
 */
@AutoConfiguration
@ConditionalOnClass(MemorySizing.class)
@ConditionalOnBooleanProperty(name = "oomguard.memory.enabled", matchIfMissing = true)
@EnableConfigurationProperties(MemoryGuardProperties.class)
public final class MemoryGuardAutoConfiguration {
  @Bean
  MemorySizingCheck memorySizingCheck(MemoryGuardProperties properties) {
    return new MemorySizingCheck(properties);
  }

  @Bean
  ApplicationListener<ApplicationReadyEvent> memorySizingAtReady(MemorySizingCheck check) {
    return event -> check.inspect().log();
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "io.micrometer.core.instrument.binder.MeterBinder")
  static class MemoryMeters {
    @Bean
    @ConditionalOnMissingBean
    ProcessMemoryMetrics processMemoryMetrics() {
      return new ProcessMemoryMetrics();
    }

    @Bean
    @ConditionalOnMissingBean
    NativeMemoryMetrics nativeMemoryMetrics() {
      return new NativeMemoryMetrics();
    }
  }
}
