package dev.oomguard.spring.boot;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Gzip for the values Boot's Redis cache and {@code RedisTemplate} write. Off by default: other
 * services may read the same keys.
 */
@ConfigurationProperties("oomguard.redis.gzip")
public class RedisGzipProperties {
  /** Whether values of Boot's RedisCacheManager and auto-configured RedisTemplate are gzipped. */
  private boolean enabled;

  /**
   * Whether the auto-configured RedisTemplate's values (and hash values) are gzipped too, not only
   * the cache's.
   */
  private boolean redisTemplate = true;

  /** Values smaller than this are stored as the delegate serializer wrote them. */
  private DataSize minCompressSize =
      DataSize.ofKilobytes(1); // the library's defaults, written out for the metadata

  /** Reading a value that inflates past this fails with DecompressionLimitException (zip bombs). */
  private DataSize maxDecompressedSize = DataSize.ofMegabytes(64);

  /** The deflate level, 1 (fastest) to 9 (smallest). */
  private int level = 6;

  /**
   * Native deflaters and inflaters kept, each; the codec's native memory is bounded by it. Default:
   * twice the processors.
   */
  private @Nullable Integer poolSize;

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public boolean isRedisTemplate() {
    return redisTemplate;
  }

  public void setRedisTemplate(boolean redisTemplate) {
    this.redisTemplate = redisTemplate;
  }

  public DataSize getMinCompressSize() {
    return minCompressSize;
  }

  public void setMinCompressSize(DataSize minCompressSize) {
    this.minCompressSize = minCompressSize;
  }

  public DataSize getMaxDecompressedSize() {
    return maxDecompressedSize;
  }

  public void setMaxDecompressedSize(DataSize maxDecompressedSize) {
    this.maxDecompressedSize = maxDecompressedSize;
  }

  public int getLevel() {
    return level;
  }

  public void setLevel(int level) {
    this.level = level;
  }

  public @Nullable Integer getPoolSize() {
    return poolSize;
  }

  public void setPoolSize(@Nullable Integer poolSize) {
    this.poolSize = poolSize;
  }
}
