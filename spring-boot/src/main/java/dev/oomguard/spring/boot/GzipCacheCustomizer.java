package dev.oomguard.spring.boot;

import dev.oomguard.compression.GzipCodec;
import dev.oomguard.compression.spring.GzipRedisSerializer;
import org.springframework.boot.cache.autoconfigure.RedisCacheManagerBuilderCustomizer;
import org.springframework.core.Ordered;
import org.springframework.data.redis.cache.RedisCacheConfiguration;
import org.springframework.data.redis.cache.RedisCacheManager.RedisCacheManagerBuilder;
import org.springframework.data.redis.serializer.RedisSerializationContext.SerializationPair;

/**
 * Wraps the value serializer of Boot's cache defaults and of every cache configured so far in gzip,
 * and changes nothing else: {@code spring.cache.redis.time-to-live}, key prefix and null handling
 * stay as Boot set them (replacing Boot's {@code RedisCacheConfiguration} bean instead drops them).
 * Runs last, so that caches other customizers configure are wrapped too.
 */
final class GzipCacheCustomizer implements RedisCacheManagerBuilderCustomizer, Ordered {
  private final GzipCodec codec;
  private final int minCompressBytes;

  GzipCacheCustomizer(GzipCodec codec, int minCompressBytes) {
    this.codec = codec;
    this.minCompressBytes = minCompressBytes;
  }

  @Override
  public void customize(RedisCacheManagerBuilder builder) {
    builder.cacheDefaults(gzipped(builder.cacheDefaults()));
    for (String cache : builder.getConfiguredCaches()) {
      builder
          .getCacheConfigurationFor(cache)
          .ifPresent(
              configuration -> builder.withCacheConfiguration(cache, gzipped(configuration)));
    }
  }

  private RedisCacheConfiguration gzipped(RedisCacheConfiguration configuration) {
    GzipRedisSerializer<Object> gzip =
        GzipRedisSerializer.builder(new PairSerializer(configuration.getValueSerializationPair()))
            .codec(codec)
            .minCompressBytes(minCompressBytes)
            .build();
    return configuration.serializeValuesWith(SerializationPair.fromSerializer(gzip));
  }

  @Override
  public int getOrder() {
    return Ordered.LOWEST_PRECEDENCE;
  }
}
