package dev.oomguard.spring.boot;

import java.nio.ByteBuffer;
import org.jspecify.annotations.Nullable;
import org.springframework.data.redis.serializer.RedisSerializationContext.SerializationPair;
import org.springframework.data.redis.serializer.RedisSerializer;
import org.springframework.data.redis.serializer.SerializationException;

/**
 * A cache configuration's value {@link SerializationPair} as a {@link RedisSerializer}, the form
 * that {@code GzipRedisSerializer} wraps: the cache keeps whatever serializer Boot or the
 * application gave it, gzip goes around it.
 */
final class PairSerializer implements RedisSerializer<Object> {
  private final SerializationPair<Object> pair;

  PairSerializer(SerializationPair<Object> pair) {
    this.pair = pair;
  }

  @Override
  // RedisSerializer declares byte @Nullable [] too; NullAway does not read a type-use annotation on
  // an array from a library's class file, so it takes the superclass's return as non-null.
  @SuppressWarnings("NullAway")
  public byte @Nullable [] serialize(@Nullable Object value) throws SerializationException {
    if (value == null) {
      return null;
    }
    ByteBuffer buffer = pair.write(value);
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    return bytes;
  }

  @Override
  public @Nullable Object deserialize(byte @Nullable [] bytes) throws SerializationException {
    return bytes == null ? null : pair.read(ByteBuffer.wrap(bytes));
  }

  @Override
  public String toString() {
    return "PairSerializer[" + pair + "]";
  }
}
