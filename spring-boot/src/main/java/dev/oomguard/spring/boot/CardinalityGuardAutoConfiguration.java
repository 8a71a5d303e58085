package dev.oomguard.spring.boot;

import dev.oomguard.metrics.CardinalityGuard;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * A {@link CardinalityGuard} on Boot's meter registry (incident 4). Stands back when the
 * application has a {@code CardinalityGuard} or a {@link CardinalityGuardBinding} bean of its own.
 */
@AutoConfiguration(
    after = {MetricsAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class})
@ConditionalOnClass({CardinalityGuard.class, MetricsAutoConfiguration.class})
@ConditionalOnBooleanProperty(name = "oomguard.metrics.cardinality.enabled", matchIfMissing = true)
@ConditionalOnMissingBean({CardinalityGuard.class, CardinalityGuardBinding.class})
@EnableConfigurationProperties(CardinalityGuardProperties.class)
public final class CardinalityGuardAutoConfiguration {
  @Bean
  CardinalityGuardBinding cardinalityGuardBinding(CardinalityGuardProperties properties) {
    CardinalityGuard.Builder builder =
        CardinalityGuard.builder()
            .maxTagValues(properties.getMaxTagValues())
            .maxSeries(properties.getMaxSeries())
            .overflowTagValue(properties.getOverflowTagValue());
    for (CardinalityGuardProperties.TagValuesCap cap : properties.getOverrides()) {
      builder.maxTagValues(cap.getMeterNamePrefix(), cap.getTagKey(), cap.getMaxValues());
    }
    if (properties.getExpireIdleAfter() != null) {
      builder.expireIdleAfter(properties.getExpireIdleAfter());
    }
    properties.getExpireIdleMetersNamed().forEach(builder::expireIdleMetersNamed);
    properties.getExpireIdleMetersTagged().forEach(builder::expireIdleMetersTagged);
    return new CardinalityGuardBinding(builder.build());
  }

  @Bean
  static CardinalityGuardPostProcessor cardinalityGuardPostProcessor(
      ObjectProvider<CardinalityGuardBinding> binding) {
    return new CardinalityGuardPostProcessor(binding);
  }
}
