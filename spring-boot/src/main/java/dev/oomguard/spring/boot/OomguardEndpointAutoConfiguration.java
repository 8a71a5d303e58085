package dev.oomguard.spring.boot;

import dev.oomguard.compression.GzipCodec;
import dev.oomguard.executors.BoundedExecutorService;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/** The {@code oomguard} actuator endpoint, when Actuator is there and the endpoint is exposed. */
@AutoConfiguration(
    after = {
      TaskExecutionGuardAutoConfiguration.class,
      CardinalityGuardAutoConfiguration.class,
      MemoryGuardAutoConfiguration.class,
      RedisGzipAutoConfiguration.class
    })
@ConditionalOnClass({
  Endpoint.class,
  ConditionalOnAvailableEndpoint.class,
  GzipCodec.class,
  BoundedExecutorService.class,
  MeterRegistry.class
})
public final class OomguardEndpointAutoConfiguration {
  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnAvailableEndpoint
  OomguardEndpoint oomguardEndpoint(
      ObjectProvider<CardinalityGuardBinding> cardinality,
      ObjectProvider<MemorySizingCheck> sizing,
      ObjectProvider<BoundedAsyncTaskExecutor> taskExecutors,
      ObjectProvider<BoundedExecutorService> pools,
      ObjectProvider<GzipCodec> codecs,
      ObjectProvider<MeterRegistry> registry) {
    return new OomguardEndpoint(cardinality, sizing, taskExecutors, pools, codecs, registry);
  }
}
