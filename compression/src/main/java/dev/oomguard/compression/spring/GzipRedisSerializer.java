package dev.oomguard.compression.spring;

import dev.oomguard.compression.CompressionException;
import dev.oomguard.compression.GzipCodec;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.data.redis.serializer.RedisSerializer;
import org.springframework.data.redis.serializer.SerializationException;

/**
 * A {@link RedisSerializer} that gzips what its delegate writes, through a {@link GzipCodec}: no
 * native memory leaks on any path, and no value inflates past the codec's {@code
 * maxDecompressedBytes} (64 MiB by default).
 *
 * <pre>{@code
 * template.setValueSerializer(GzipRedisSerializer.wrap(RedisSerializer.json()));
 * }</pre>
 *
 * <p><b>Writing.</b> Values shorter than {@code minCompressBytes} (default 1 KiB), and values that
 * gzip would not make smaller, are stored exactly as the delegate wrote them; larger ones are
 * stored as one gzip member.
 *
 * <p><b>Reading.</b> A value that starts with the gzip magic {@code 1f 8b 08} is decompressed and
 * handed to the delegate; anything else goes to the delegate as it is. So values written by the
 * bare delegate before compression was switched on (and values gzipped by hand-written code) stay
 * readable, and a live cache can be switched without a flush.
 *
 * <p><b>The one ambiguity.</b> A legacy value that itself starts with {@code 1f 8b 08} but is not
 * gzip is read as malformed gzip and fails. UTF-8 text (so JSON and {@code StringRedisSerializer}),
 * JDK serialization ({@code ac ed}) and Protocol Buffers can never start with those bytes; a raw
 * {@code byte[]} delegate or a custom binary format could. If yours can, switch under a new key
 * prefix or cache name rather than over the old values. Values this serializer writes are never
 * ambiguous: a delegate output that starts with the magic is always stored compressed, whatever its
 * size.
 *
 * <p><b>Errors.</b> Malformed gzip and values over the limit fail with Spring's {@link
 * SerializationException}, whose cause is the codec's {@code MalformedGzipException} or {@code
 * DecompressionLimitException}. The delegate's own exceptions pass through unchanged. Null in, null
 * out, in both directions, without asking the delegate.
 *
 * <p>Thread-safe, as the codec and the delegate are.
 */
public final class GzipRedisSerializer<T> implements RedisSerializer<T> {
  /**
   * Values shorter than this are stored as the delegate wrote them: gzip adds 18 bytes of framing.
   */
  public static final int DEFAULT_MIN_COMPRESS_BYTES = 1024;

  private final RedisSerializer<T> delegate;
  private final GzipCodec codec;
  private final int minCompressBytes;

  private GzipRedisSerializer(Builder<T> builder) {
    this.delegate = builder.delegate;
    this.codec = builder.codec != null ? builder.codec : SharedCodec.INSTANCE;
    this.minCompressBytes = builder.minCompressBytes;
  }

  /**
   * Wraps {@code delegate} with the defaults: values of 1 KiB and more are compressed, by a codec
   * with {@link GzipCodec#create() its defaults} that every serializer made this way shares.
   */
  public static <T> GzipRedisSerializer<T> wrap(RedisSerializer<T> delegate) {
    return builder(delegate).build();
  }

  public static <T> Builder<T> builder(RedisSerializer<T> delegate) {
    return new Builder<>(delegate);
  }

  @Override
  // RedisSerializer declares byte @Nullable [] too; NullAway does not read a type-use annotation on
  // an array from a library's class file, so it takes the superclass's return as non-null.
  @SuppressWarnings("NullAway")
  public byte @Nullable [] serialize(@Nullable T value) throws SerializationException {
    if (value == null) {
      return null;
    }
    byte[] plain = delegate.serialize(value);
    if (plain == null) {
      return null;
    }
    boolean looksCompressed = GzipCodec.isGzip(plain);
    if (plain.length < minCompressBytes && !looksCompressed) {
      return plain;
    }
    byte[] gzip;
    try {
      gzip = codec.compress(plain);
    } catch (CompressionException | IllegalStateException e) {
      throw new SerializationException(
          "Cannot gzip a " + plain.length + "-byte value: " + e.getMessage(), e);
    }
    return gzip.length < plain.length || looksCompressed ? gzip : plain;
  }

  @Override
  public @Nullable T deserialize(byte @Nullable [] bytes) throws SerializationException {
    if (bytes == null) {
      return null;
    }
    return delegate.deserialize(GzipCodec.isGzip(bytes) ? decompress(bytes) : bytes);
  }

  @Override
  public <V> @Nullable V deserialize(byte @Nullable [] bytes, Class<V> type)
      throws SerializationException {
    if (bytes == null) {
      return null;
    }
    return delegate.deserialize(GzipCodec.isGzip(bytes) ? decompress(bytes) : bytes, type);
  }

  @Override
  public boolean canSerialize(Class<?> type) {
    return delegate.canSerialize(type);
  }

  @Override
  public Class<?> getTargetType() {
    return delegate.getTargetType();
  }

  public int minCompressBytes() {
    return minCompressBytes;
  }

  @Override
  public String toString() {
    return "GzipRedisSerializer["
        + delegate
        + ", minCompressBytes="
        + minCompressBytes
        + ", "
        + codec
        + "]";
  }

  private byte[] decompress(byte[] gzip) {
    try {
      return codec.decompress(gzip);
    } catch (CompressionException | IllegalStateException e) {
      throw new SerializationException(
          "Cannot read a " + gzip.length + "-byte gzip value: " + e.getMessage(), e);
    }
  }

  /** Configures a {@link GzipRedisSerializer}; only the delegate is required. */
  public static final class Builder<T> {
    private final RedisSerializer<T> delegate;
    private @Nullable GzipCodec codec;
    private int minCompressBytes = DEFAULT_MIN_COMPRESS_BYTES;

    private Builder(RedisSerializer<T> delegate) {
      this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /**
     * The codec to compress and decompress with; its {@code maxDecompressedBytes} caps every value
     * read. The caller owns it (and closes it, after the last use of this serializer). Default: a
     * shared codec with the defaults, which lives as long as the class.
     */
    public Builder<T> codec(GzipCodec codec) {
      this.codec = Objects.requireNonNull(codec, "codec");
      return this;
    }

    /**
     * Values shorter than this many bytes are stored uncompressed; 0 compresses every value.
     *
     * @throws IllegalArgumentException if {@code minCompressBytes} is negative
     */
    public Builder<T> minCompressBytes(int minCompressBytes) {
      if (minCompressBytes < 0) {
        throw new IllegalArgumentException(
            "minCompressBytes must not be negative, was " + minCompressBytes);
      }
      this.minCompressBytes = minCompressBytes;
      return this;
    }

    public GzipRedisSerializer<T> build() {
      return new GzipRedisSerializer<>(this);
    }
  }

  /** Created on first use of a serializer without its own codec, so others never pay for it. */
  private static final class SharedCodec {
    static final GzipCodec INSTANCE = GzipCodec.create();
  }
}
