package dev.oomguard.compression.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.oomguard.compression.DecompressionLimitException;
import dev.oomguard.compression.GzipCodec;
import dev.oomguard.compression.MalformedGzipException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.serializer.RedisSerializer;
import org.springframework.data.redis.serializer.SerializationException;
import tools.jackson.core.JacksonException;

class GzipRedisSerializerTest {
  private static final byte[] MAGIC = {0x1f, (byte) 0x8b, 0x08};

  private final GzipCodec codec =
      GzipCodec.builder().poolSize(1).maxDecompressedBytes(1 << 20).build();
  private final GzipRedisSerializer<String> strings =
      GzipRedisSerializer.builder(RedisSerializer.string()).codec(codec).build();
  private final GzipRedisSerializer<byte[]> bytes =
      GzipRedisSerializer.builder(RedisSerializer.byteArray())
          .codec(codec)
          .minCompressBytes(64)
          .build();

  @AfterEach
  void everyHandleGoesBack() {
    assertThat(codec.nativeHandlesInUse()).isZero();
    codec.close();
  }

  @Test
  void serialize_belowThreshold_storesWhatTheDelegateWrote() {
    String value = text(GzipRedisSerializer.DEFAULT_MIN_COMPRESS_BYTES - 1, 1);

    assertThat(strings.serialize(value)).isEqualTo(value.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void serialize_atThreshold_storesSmallerGzipThatReadsBack() {
    String value = text(GzipRedisSerializer.DEFAULT_MIN_COMPRESS_BYTES, 2);

    byte[] stored = strings.serialize(value);

    assertThat(GzipCodec.isGzip(stored)).isTrue();
    assertThat(stored).hasSizeLessThan(value.length());
    assertThat(strings.deserialize(stored)).isEqualTo(value);
  }

  @Test
  void serialize_incompressibleValue_storesWhatTheDelegateWrote() {
    byte[] random = random(4096, 3);

    assertThat(bytes.serialize(random)).isEqualTo(random);
    assertThat(bytes.deserialize(random)).isEqualTo(random);
  }

  @Test
  void serialize_smallValueThatStartsWithTheMagic_isCompressedSoItReadsBackUnchanged() {
    byte[] lookalike = {0x1f, (byte) 0x8b, 0x08, 'n', 'o', 't'};

    byte[] stored = bytes.serialize(lookalike);

    assertThat(stored).isNotEqualTo(lookalike);
    assertThat(bytes.deserialize(stored)).isEqualTo(lookalike);
  }

  @Test
  void serialize_incompressibleValueThatStartsWithTheMagic_isStillCompressed() {
    byte[] lookalike = random(4096, 4);
    System.arraycopy(MAGIC, 0, lookalike, 0, MAGIC.length);

    byte[] stored = bytes.serialize(lookalike);

    assertThat(stored).hasSizeGreaterThan(lookalike.length);
    assertThat(bytes.deserialize(stored)).isEqualTo(lookalike);
  }

  @Test
  void minCompressBytesZero_compressesEveryCompressibleValue() {
    GzipRedisSerializer<String> always =
        GzipRedisSerializer.builder(RedisSerializer.string())
            .codec(codec)
            .minCompressBytes(0)
            .build();
    String value = "a".repeat(100);

    assertThat(GzipCodec.isGzip(always.serialize(value))).isTrue();
    assertThat(always.serialize("")).isEmpty();
  }

  @Test
  void deserialize_legacyUncompressedValues_goStraightToTheDelegate() {
    long created = codec.nativeHandlesCreated();
    String small = "legacy";
    String large = text(100_000, 5);

    assertThat(strings.deserialize(RedisSerializer.string().serialize(small))).isEqualTo(small);
    assertThat(strings.deserialize(RedisSerializer.string().serialize(large))).isEqualTo(large);
    assertThat(codec.nativeHandlesCreated())
        .as("no inflater touched for plain values")
        .isEqualTo(created);
  }

  @Test
  void deserialize_valueGzippedByHandWrittenJdkCode_reads() throws IOException {
    String value = text(50_000, 6);
    ByteArrayOutputStream legacy = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(legacy)) {
      gzip.write(value.getBytes(StandardCharsets.UTF_8));
    }

    assertThat(strings.deserialize(legacy.toByteArray())).isEqualTo(value);
  }

  @Test
  void deserialize_typed_decompressesBeforeTheDelegate() {
    String value = text(5_000, 7);

    assertThat(strings.deserialize(strings.serialize(value), String.class)).isEqualTo(value);
    assertThat(strings.deserialize("plain".getBytes(StandardCharsets.UTF_8), String.class))
        .isEqualTo("plain");
  }

  @Test
  void nullInNullOut_withoutAskingTheDelegate() {
    RedisSerializer<String> refusesNull =
        new RedisSerializer<>() {
          @Override
          public byte[] serialize(@Nullable String value) {
            return RedisSerializer.string().serialize(Objects.requireNonNull(value));
          }

          @Override
          public String deserialize(byte @Nullable [] stored) {
            return RedisSerializer.string().deserialize(Objects.requireNonNull(stored));
          }
        };
    GzipRedisSerializer<String> serializer = GzipRedisSerializer.wrap(refusesNull);

    assertThat(serializer.serialize(null)).isNull();
    assertThat(serializer.deserialize(null)).isNull();
    assertThat(serializer.deserialize(null, String.class)).isNull();
  }

  @Test
  void deserialize_magicFollowedByGarbage_failsAsMalformedAndReturnsTheHandle() {
    byte[] garbage = Arrays.copyOf(MAGIC, 40);

    SerializationException e =
        catchThrowableOfType(SerializationException.class, () -> strings.deserialize(garbage));

    assertThat(e)
        .hasCauseInstanceOf(MalformedGzipException.class)
        .hasMessageContaining("40-byte gzip value");
    assertThat(codec.nativeHandlesInUse()).isZero();
  }

  @Test
  void deserialize_truncatedValue_failsAsMalformed() {
    byte[] stored = strings.serialize(text(10_000, 8));
    byte[] truncated = Arrays.copyOf(stored, stored.length - 5);

    assertThatThrownBy(() -> strings.deserialize(truncated))
        .isInstanceOf(SerializationException.class)
        .hasCauseInstanceOf(MalformedGzipException.class)
        .hasMessageContaining("input ends inside the trailer");
  }

  @Test
  void deserialize_valueOverTheCodecLimit_failsWithTheLimitAsCause() {
    byte[] bomb;
    try (GzipCodec unlimited = GzipCodec.create()) {
      bomb = unlimited.compress(new byte[16 << 20]);
    }

    SerializationException e =
        catchThrowableOfType(SerializationException.class, () -> bytes.deserialize(bomb));

    assertThat(e.getCause())
        .isInstanceOfSatisfying(
            DecompressionLimitException.class,
            limit -> assertThat(limit.limit()).isEqualTo(1 << 20));
    assertThat(e).hasMessageContaining(Integer.toString(1 << 20));
  }

  @Test
  void delegateErrors_passThroughUnchanged() {
    GzipRedisSerializer<Object> json =
        GzipRedisSerializer.builder(RedisSerializer.json()).codec(codec).build();
    byte[] notJson = strings.serialize("{" + text(5_000, 9));

    assertThatThrownBy(() -> json.deserialize(notJson))
        .isInstanceOf(SerializationException.class)
        .hasCauseInstanceOf(JacksonException.class);
  }

  @Test
  void json_roundTripsThroughCompression() {
    GzipRedisSerializer<Object> json =
        GzipRedisSerializer.builder(RedisSerializer.json()).codec(codec).build();
    Map<String, Object> order = new LinkedHashMap<>();
    order.put("id", "o-1");
    order.put("lines", new ArrayList<>(List.of(text(3_000, 10), text(3_000, 11))));

    byte[] stored = json.serialize(order);

    assertThat(GzipCodec.isGzip(stored)).isTrue();
    assertThat(json.deserialize(stored)).isEqualTo(order);
  }

  @Test
  void closedCodec_failsAsSerializationException() {
    GzipCodec closed = GzipCodec.create();
    closed.close();
    GzipRedisSerializer<String> serializer =
        GzipRedisSerializer.builder(RedisSerializer.string()).codec(closed).build();

    assertThatThrownBy(() -> serializer.serialize(text(5_000, 12)))
        .isInstanceOf(SerializationException.class)
        .hasCauseInstanceOf(IllegalStateException.class);
  }

  @Test
  void builder_rejectsNegativeThresholdAndNulls() {
    assertThatThrownBy(
            () -> GzipRedisSerializer.builder(RedisSerializer.string()).minCompressBytes(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("minCompressBytes must not be negative, was -1");
    assertThatThrownBy(() -> GzipRedisSerializer.wrap((RedisSerializer<?>) nullValue()))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("delegate");
  }

  @Test
  void manyMixedOperations_leaveNoHandleInUse() {
    SplittableRandom random = new SplittableRandom(13);
    for (int i = 0; i < 500; i++) {
      int size = random.nextInt(8_000);
      byte[] value =
          random.nextBoolean() ? text(size, i).getBytes(StandardCharsets.UTF_8) : random(size, i);
      byte[] stored = bytes.serialize(value);
      if (random.nextInt(4) == 0 && GzipCodec.isGzip(stored)) {
        byte[] corrupt = Arrays.copyOf(stored, 3 + random.nextInt(stored.length - 3));
        assertThatThrownBy(() -> bytes.deserialize(corrupt))
            .isInstanceOf(SerializationException.class);
      } else {
        assertThat(bytes.deserialize(stored)).isEqualTo(value);
      }
    }
    assertThat(codec.nativeHandlesInUse()).isZero();
    // one idle handle per kind at most (pool size 1): a deflater and an inflater, and on libdeflate
    // a compressor and a decompressor too (the inflater then judges the corrupt values)
    int kinds = codec.engine() == GzipCodec.Engine.JDK ? 2 : 4;
    assertThat(codec.nativeHandlesCreated() - codec.nativeHandlesEnded())
        .isLessThanOrEqualTo(kinds);
  }

  /** Compressible text (JSON-ish words and numbers) of exactly {@code chars} ASCII characters. */
  static String text(int chars, long seed) {
    String[] words = {
      "device",
      "temperature",
      "online",
      "firmware",
      "region",
      "status",
      "\"ok\"",
      "{",
      "}",
      ",",
      ":"
    };
    SplittableRandom random = new SplittableRandom(seed);
    StringBuilder text = new StringBuilder(chars + 16);
    while (text.length() < chars) {
      text.append(words[random.nextInt(words.length)]).append(random.nextInt(100)).append(' ');
    }
    return text.substring(0, chars);
  }

  private static byte[] random(int size, long seed) {
    byte[] bytes = new byte[size];
    new SplittableRandom(seed).nextBytes(bytes);
    return bytes;
  }

  /** A null where the signature says there is none, as a careless caller would pass it. */
  @SuppressWarnings("unchecked")
  private static <T> T nullValue() {
    return (T) (Object) null;
  }
}
