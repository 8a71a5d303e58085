package dev.oomguard.compression;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

@ParameterizedClass(name = "engine={0}")
@EnumSource(names = {"JDK", "LIBDEFLATE"})
class GzipCodecRoundTripTest {
  private final GzipCodec.Engine engine;
  private final GzipCodec codec;

  GzipCodecRoundTripTest(GzipCodec.Engine engine) {
    this.engine = engine;
    this.codec = GzipCodec.builder().engine(engine).poolSize(2).build();
  }

  @BeforeParameterizedClassInvocation
  static void engineUsable(GzipCodec.Engine engine) {
    NativeEngine.assumeUsable(engine);
  }

  @AfterEach
  void closeCodec() {
    codec.close();
  }

  @Test
  void engine_isTheOneAskedFor() {
    assertThat(codec.engine()).isEqualTo(engine);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 255, 64 * 1024, 5 * 1024 * 1024})
  void compressThenDecompress_returnsInput_forTextOfEverySize(int size) {
    byte[] text = text(size, size);

    assertThat(codec.decompress(codec.compress(text))).isEqualTo(text);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 255, 64 * 1024, 5 * 1024 * 1024})
  void compressThenDecompress_returnsInput_forRandomBytes(int size) {
    byte[] random = random(size, size);

    assertThat(codec.decompress(codec.compress(random))).isEqualTo(random);
  }

  @Test
  void roundTrip_holdsForManyRandomInputs_atEveryLevel() {
    SplittableRandom seeds = new SplittableRandom(2026);
    for (int level = 0; level <= 9; level++) {
      try (GzipCodec atLevel =
          GzipCodec.builder().engine(engine).level(level).poolSize(1).build()) {
        for (int i = 0; i < 60; i++) {
          int size = seeds.nextInt(i < 50 ? 2_000 : 300_000);
          byte[] input =
              seeds.nextBoolean() ? text(size, seeds.nextLong()) : random(size, seeds.nextLong());
          assertThat(atLevel.decompress(atLevel.compress(input)))
              .as("level %d, %d bytes", level, size)
              .isEqualTo(input);
        }
      }
    }
  }

  @Test
  void compress_withOffsetAndLength_compressesOnlyThatRange() {
    byte[] text = text(10_000, 3);
    byte[] middle = Arrays.copyOfRange(text, 1_000, 4_000);

    assertThat(codec.decompress(codec.compress(text, 1_000, 3_000))).isEqualTo(middle);
  }

  @Test
  void compress_textShrinks() {
    byte[] text = text(64 * 1024, 1);

    assertThat(codec.compress(text).length).isLessThan(text.length / 3);
  }

  @Test
  void compressedBytes_areReadByJdkGzipInputStream() throws IOException {
    byte[] text = text(100_000, 9);

    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(codec.compress(text)))) {
      assertThat(in.readAllBytes()).isEqualTo(text);
    }
  }

  @Test
  void jdkGzipOutputStreamBytes_areDecompressed() throws IOException {
    byte[] text = text(100_000, 10);
    ByteArrayOutputStream gzip = new ByteArrayOutputStream();
    try (OutputStream out = new GZIPOutputStream(gzip)) {
      out.write(text);
    }

    assertThat(codec.decompress(gzip.toByteArray())).isEqualTo(text);
  }

  @Test
  void streams_roundTripInSmallWritesAndReads() throws IOException {
    byte[] text = text(300_000, 11);
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    try (OutputStream out = codec.compressingStream(sink)) {
      for (int i = 0; i < text.length; i += 777) {
        out.write(text, i, Math.min(777, text.length - i));
      }
    }
    ByteArrayOutputStream result = new ByteArrayOutputStream();
    try (InputStream in = codec.decompressingStream(new ByteArrayInputStream(sink.toByteArray()))) {
      byte[] buffer = new byte[313];
      for (int n; (n = in.read(buffer)) >= 0; ) {
        result.write(buffer, 0, n);
      }
    }

    assertThat(result.toByteArray()).isEqualTo(text);
    assertThat(codec.decompress(sink.toByteArray())).isEqualTo(text);
  }

  @Test
  void compressingStream_acrossChunkBoundaries_atEveryLevel_isReadByGzipInputStream()
      throws IOException {
    SplittableRandom seeds = new SplittableRandom(14);
    for (int level = 0; level <= 9; level++) {
      try (GzipCodec atLevel =
          GzipCodec.builder().engine(engine).level(level).poolSize(1).build()) {
        // text and random bytes, so that matches reach back into the previous chunk's dictionary
        byte[] input =
            concatAll(
                text(150_000, seeds.nextLong()),
                random(70_000, seeds.nextLong()),
                text(200_000, seeds.nextLong()));
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (OutputStream out = atLevel.compressingStream(sink)) {
          for (int i = 0; i < input.length; ) {
            int n =
                Math.min(input.length - i, seeds.nextInt(4) == 0 ? 100_000 : seeds.nextInt(5_000));
            out.write(input, i, n);
            i += n;
          }
        }

        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(sink.toByteArray()))) {
          assertThat(in.readAllBytes()).as("level %d", level).isEqualTo(input);
        }
        assertThat(atLevel.nativeHandlesCreated())
            .as("one deflater borrowed chunk after chunk")
            .isEqualTo(1);
      }
    }
  }

  private static byte[] concatAll(byte[]... parts) {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      all.writeBytes(part);
    }
    return all.toByteArray();
  }

  @Test
  void streams_singleByteWritesAndReads_roundTrip() throws IOException {
    byte[] text = text(5_000, 12);
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    try (OutputStream out = codec.compressingStream(sink)) {
      for (byte b : text) {
        out.write(b);
      }
    }
    ByteArrayOutputStream result = new ByteArrayOutputStream();
    try (InputStream in = codec.decompressingStream(new ByteArrayInputStream(sink.toByteArray()))) {
      for (int b; (b = in.read()) >= 0; ) {
        result.write(b);
      }
    }

    assertThat(result.toByteArray()).isEqualTo(text);
  }

  @Test
  void compressingStream_closedWithoutWrites_writesAnEmptyMember() throws IOException {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    codec.compressingStream(sink).close();

    assertThat(codec.decompress(sink.toByteArray())).isEmpty();
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(sink.toByteArray()))) {
      assertThat(in.readAllBytes()).isEmpty();
    }
  }

  @Test
  void isGzip_checksMagicAndMethod() {
    assertThat(GzipCodec.isGzip(codec.compress(new byte[0]))).isTrue();
    assertThat(GzipCodec.isGzip("{\"a\":1}".getBytes(StandardCharsets.UTF_8))).isFalse();
    assertThat(GzipCodec.isGzip(new byte[] {0x1f, (byte) 0x8b})).isFalse();
    assertThat(GzipCodec.isGzip(new byte[] {0x1f, (byte) 0x8b, 7})).isFalse();
    assertThat(GzipCodec.isGzip(null)).isFalse();
  }

  static byte[] text(int size, long seed) {
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
    StringBuilder text = new StringBuilder(size + 16);
    while (text.length() < size) {
      text.append(words[random.nextInt(words.length)]).append(random.nextInt(100)).append(' ');
    }
    return Arrays.copyOf(text.toString().getBytes(StandardCharsets.US_ASCII), size);
  }

  static byte[] random(int size, long seed) {
    byte[] bytes = new byte[size];
    new SplittableRandom(seed).nextBytes(bytes);
    return bytes;
  }
}
