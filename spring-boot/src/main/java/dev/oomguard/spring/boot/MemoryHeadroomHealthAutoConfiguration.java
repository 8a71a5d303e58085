package dev.oomguard.spring.boot;

import dev.oomguard.metrics.memory.ProcessMemoryMetrics;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * The {@code memoryHeadroom} health contributor; off with {@code
 * management.health.memory-headroom.enabled=false}.
 */
@AutoConfiguration
@ConditionalOnClass({HealthIndicator.class, ProcessMemoryMetrics.class})
@ConditionalOnBooleanProperty(name = "oomguard.memory.enabled", matchIfMissing = true)
@ConditionalOnEnabledHealthIndicator("memory-headroom")
@EnableConfigurationProperties(MemoryGuardProperties.class)
public final class MemoryHeadroomHealthAutoConfiguration {
  /** Boot names the contributor after the bean, less "HealthIndicator": memoryHeadroom. */
  @Bean
  @ConditionalOnMissingBean(name = "memoryHeadroomHealthIndicator")
  HealthIndicator memoryHeadroomHealthIndicator(MemoryGuardProperties properties) {
    return new MemoryHeadroomHealthIndicator(properties);
  }
}
