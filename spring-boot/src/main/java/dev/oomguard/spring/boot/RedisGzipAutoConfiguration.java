package dev.oomguard.spring.boot;

import dev.oomguard.compression.GzipCodec;
import dev.oomguard.compression.GzipCodecMetrics;
import dev.oomguard.compression.spring.GzipRedisSerializer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.cache.autoconfigure.RedisCacheManagerBuilderCustomizer;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.cache.RedisCacheManager;

/**
 * Gzip for Redis values (incident 1), opt-in with {@code oomguard.redis.gzip.enabled=true}: one
 * {@link GzipCodec} (closed with the context), Boot's cache manager's values through a {@link
 * RedisCacheManagerBuilderCustomizer}, and Boot's {@code redisTemplate}'s values.
 */
@AutoConfiguration(before = {CacheAutoConfiguration.class, DataRedisAutoConfiguration.class})
@ConditionalOnClass({GzipRedisSerializer.class, DataRedisAutoConfiguration.class})
@ConditionalOnBooleanProperty(name = "oomguard.redis.gzip.enabled")
@EnableConfigurationProperties(RedisGzipProperties.class)
public final class RedisGzipAutoConfiguration {
  /**
   * Closed by the context at shutdown (Spring infers {@code close()}), which ends its native
   * handles.
   */
  @Bean
  @ConditionalOnMissingBean
  GzipCodec gzipCodec(RedisGzipProperties properties) {
    GzipCodec.Builder builder =
        GzipCodec.builder()
            .level(properties.getLevel())
            .maxDecompressedBytes(properties.getMaxDecompressedSize().toBytes());
    if (properties.getPoolSize() != null) {
      builder.poolSize(properties.getPoolSize());
    }
    return builder.build();
  }

  @Bean
  static GzipRedisTemplatePostProcessor gzipRedisTemplatePostProcessor(
      ObjectProvider<GzipCodec> codec, ObjectProvider<RedisGzipProperties> properties) {
    return new GzipRedisTemplatePostProcessor(codec, properties);
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({RedisCacheManagerBuilderCustomizer.class, RedisCacheManager.class})
  static class Cache {
    @Bean
    RedisCacheManagerBuilderCustomizer gzipRedisCacheManagerBuilderCustomizer(
        GzipCodec codec, RedisGzipProperties properties) {
      return new GzipCacheCustomizer(
          codec, Math.toIntExact(properties.getMinCompressSize().toBytes()));
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "io.micrometer.core.instrument.binder.MeterBinder")
  static class Meters {
    @Bean
    @ConditionalOnMissingBean
    GzipCodecMetrics gzipCodecMetrics(GzipCodec codec) {
      return new GzipCodecMetrics(codec);
    }
  }
}
