package dev.oomguard.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomguard.compression.GzipCodec;
import dev.oomguard.compression.GzipCodecMetrics;
import dev.oomguard.compression.spring.GzipRedisSerializer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.cache.autoconfigure.RedisCacheManagerBuilderCustomizer;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.Cache;
import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.cache.RedisCacheManager;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.RedisTemplate;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Against a real redis-server on loopback: what Boot's cache and templates write once gzip is on.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RedisGzipAutoConfigurationTest {
  private static final String BIG = "x".repeat(8 * 1024);
  private static PrivateRedis redis;

  private ApplicationContextRunner runner;

  @BeforeAll
  static void startRedis() throws IOException {
    redis = PrivateRedis.start();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @BeforeEach
  void emptyRedis() {
    redis.flushAll();
    runner =
        new ApplicationContextRunner()
            .withConfiguration(
                AutoConfigurations.of(
                    RedisGzipAutoConfiguration.class,
                    DataRedisAutoConfiguration.class,
                    CacheAutoConfiguration.class))
            .withUserConfiguration(Caching.class)
            .withPropertyValues(redis.bootProperties())
            .withPropertyValues("spring.cache.type=redis", "spring.cache.redis.time-to-live=10m");
  }

  @Test
  void gzip_byDefault_isOff() {
    runner.run(
        context -> {
          assertThat(context)
              .doesNotHaveBean(GzipCodec.class)
              .doesNotHaveBean(GzipCacheCustomizer.class);
          context.getBean(CacheManager.class).getCache("reports").put("k", BIG);
          assertThat(GzipCodec.isGzip(get("reports::k"))).isFalse();
        });
  }

  @Test
  void cache_withGzip_storesGzipAndKeepsBootsTimeToLive() {
    runner
        .withPropertyValues("oomguard.redis.gzip.enabled=true")
        .run(
            context -> {
              Cache cache = context.getBean(CacheManager.class).getCache("reports");
              cache.put("k", BIG);
              byte[] stored = get("reports::k");
              assertThat(stored).startsWith(0x1f, 0x8b);
              assertThat(stored.length).isLessThan(BIG.length() / 10);
              long ttl = redis.pttl("reports::k");
              assertThat(ttl).isPositive().isLessThanOrEqualTo(600_000);
              assertThat(cache.get("k", String.class)).isEqualTo(BIG);
            });
  }

  @Test
  void cache_withGzip_readsTheValuesWrittenBeforeItWasOn() {
    runner.run(context -> context.getBean(CacheManager.class).getCache("reports").put("old", BIG));
    runner
        .withPropertyValues("oomguard.redis.gzip.enabled=true")
        .run(
            context -> {
              assertThat(
                      context
                          .getBean(CacheManager.class)
                          .getCache("reports")
                          .get("old", String.class))
                  .isEqualTo(BIG);
            });
  }

  @Test
  void cache_smallValues_stayAsTheDelegateWroteThem() {
    runner
        .withPropertyValues(
            "oomguard.redis.gzip.enabled=true", "oomguard.redis.gzip.min-compress-size=16KB")
        .run(
            context -> {
              context.getBean(CacheManager.class).getCache("reports").put("k", BIG);
              assertThat(GzipCodec.isGzip(get("reports::k"))).isFalse();
            });
  }

  @Test
  void cache_configuredByAnotherCustomizer_isGzippedToo() {
    runner
        .withPropertyValues("oomguard.redis.gzip.enabled=true")
        .withUserConfiguration(OwnCache.class)
        .run(
            context -> {
              Cache cache = context.getBean(CacheManager.class).getCache("own");
              cache.put("k", BIG);
              assertThat(get("own::k")).startsWith(0x1f, 0x8b);
              assertThat(redis.pttl("own::k")).isGreaterThan(600_000);
            });
  }

  @Test
  void redisTemplate_bootsOne_gzipsValuesNotKeys_andStringTemplateIsLeftAlone() {
    runner
        .withPropertyValues("oomguard.redis.gzip.enabled=true")
        .run(
            context -> {
              @SuppressWarnings("unchecked")
              RedisTemplate<Object, Object> template =
                  context.getBean("redisTemplate", RedisTemplate.class);
              assertThat(template.getValueSerializer()).isInstanceOf(GzipRedisSerializer.class);
              assertThat(template.getHashValueSerializer()).isInstanceOf(GzipRedisSerializer.class);
              assertThat(template.getKeySerializer()).isNotInstanceOf(GzipRedisSerializer.class);
              template.opsForValue().set("t", BIG);
              assertThat(template.opsForValue().get("t")).isEqualTo(BIG);

              StringRedisTemplate strings = context.getBean(StringRedisTemplate.class);
              assertThat(strings.getValueSerializer()).isNotInstanceOf(GzipRedisSerializer.class);
              strings.opsForValue().set("s", BIG);
              assertThat(new String(get("s"), StandardCharsets.UTF_8)).isEqualTo(BIG);
            });
  }

  @Test
  void redisTemplate_whenSwitchedOff_onlyTheCacheIsGzipped() {
    runner
        .withPropertyValues(
            "oomguard.redis.gzip.enabled=true", "oomguard.redis.gzip.redis-template=false")
        .run(
            context -> {
              assertThat(context.getBean("redisTemplate", RedisTemplate.class).getValueSerializer())
                  .isNotInstanceOf(GzipRedisSerializer.class);
              assertThat(context).hasSingleBean(GzipCacheCustomizer.class);
            });
  }

  @Test
  void redisTemplate_theApplicationsOwn_isLeftAlone() {
    runner
        .withPropertyValues("oomguard.redis.gzip.enabled=true")
        .withUserConfiguration(OwnTemplate.class)
        .run(
            context -> {
              assertThat(context.getBean("redisTemplate", RedisTemplate.class).getValueSerializer())
                  .isNotInstanceOf(GzipRedisSerializer.class);
            });
  }

  @Test
  void codec_isOneBean_withProperties_metersAndClosedWithTheContext() {
    GzipCodec[] codec = new GzipCodec[1];
    runner
        .withPropertyValues(
            "oomguard.redis.gzip.enabled=true",
            "oomguard.redis.gzip.level=9",
            "oomguard.redis.gzip.pool-size=3",
            "oomguard.redis.gzip.max-decompressed-size=1MB")
        .run(
            context -> {
              codec[0] = context.getBean(GzipCodec.class);
              assertThat(codec[0].level()).isEqualTo(9);
              assertThat(codec[0].poolSize()).isEqualTo(3);
              assertThat(codec[0].maxDecompressedBytes()).isEqualTo(1 << 20);
              assertThat(context).hasSingleBean(GzipCodecMetrics.class);
              context.getBean(CacheManager.class).getCache("reports").put("k", BIG);
              assertThat(codec[0].nativeHandlesCreated()).isPositive();
            });
    assertThat(codec[0].nativeHandlesInUse()).isZero();
    assertThat(codec[0].nativeHandlesIdle()).isZero();
    assertThat(codec[0].nativeHandlesEnded()).isEqualTo(codec[0].nativeHandlesCreated());
  }

  @Test
  void codec_theApplicationsOwn_isUsed() {
    GzipCodec own = GzipCodec.builder().level(1).build();
    runner
        .withPropertyValues("oomguard.redis.gzip.enabled=true")
        .withBean(GzipCodec.class, () -> own)
        .run(
            context -> {
              assertThat(context.getBean(GzipCodec.class)).isSameAs(own);
              context.getBean(CacheManager.class).getCache("reports").put("k", BIG);
              assertThat(own.nativeHandlesCreated()).isPositive();
            });
  }

  @Test
  void gzip_withoutBootsCache_stillWrapsTheTemplate() {
    runner
        .withClassLoader(new FilteredClassLoader(RedisCacheManagerBuilderCustomizer.class))
        .withPropertyValues("oomguard.redis.gzip.enabled=true", "spring.cache.type=none")
        .run(
            context -> {
              assertThat(context)
                  .hasNotFailed()
                  .doesNotHaveBean(GzipCacheCustomizer.class)
                  .doesNotHaveBean(RedisCacheManager.class);
              assertThat(context.getBean("redisTemplate", RedisTemplate.class).getValueSerializer())
                  .isInstanceOf(GzipRedisSerializer.class);
            });
  }

  @Test
  void gzip_withoutRedis_isNotThere() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(RedisGzipAutoConfiguration.class))
        .withClassLoader(
            new FilteredClassLoader(DataRedisAutoConfiguration.class, RedisConnectionFactory.class))
        .withPropertyValues("oomguard.redis.gzip.enabled=true")
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(GzipCodec.class));
  }

  private static byte[] get(String key) {
    return redis.awaitValue(key);
  }

  @Configuration(proxyBeanMethods = false)
  @EnableCaching
  static class Caching {}

  @Configuration(proxyBeanMethods = false)
  static class OwnCache {
    @Bean
    RedisCacheManagerBuilderCustomizer ownCache() {
      return builder ->
          builder.withCacheConfiguration(
              "own",
              org.springframework.data.redis.cache.RedisCacheConfiguration.defaultCacheConfig()
                  .entryTtl(java.time.Duration.ofHours(1)));
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnTemplate {
    @Bean
    RedisTemplate<Object, Object> redisTemplate(RedisConnectionFactory connections) {
      RedisTemplate<Object, Object> template = new RedisTemplate<>();
      template.setConnectionFactory(connections);
      return template;
    }
  }
}
