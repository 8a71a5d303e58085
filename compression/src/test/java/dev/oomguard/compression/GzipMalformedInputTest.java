package dev.oomguard.compression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bad input fails fast with the right exception and a message that says what is wrong and where; it
 * never hangs, never returns wrong bytes, and never keeps a native handle (incident 1). The handle
 * checks run after each failure and before any {@code close()}: the contract is that the handle
 * goes back at the first exception.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
@ParameterizedClass(name = "engine={0}")
@EnumSource(names = {"JDK", "LIBDEFLATE"})
class GzipMalformedInputTest {
  private static final int POOL_SIZE = 2;
  private static final int MIB = 1024 * 1024;
  private static final byte[] TEXT = GzipCodecRoundTripTest.text(4_000, 2026);

  private final GzipCodec.Engine engine;
  private final GzipCodec codec;

  GzipMalformedInputTest(GzipCodec.Engine engine) {
    this.engine = engine;
    this.codec = GzipCodec.builder().engine(engine).poolSize(POOL_SIZE).build();
  }

  @BeforeParameterizedClassInvocation
  static void engineUsable(GzipCodec.Engine engine) {
    NativeEngine.assumeUsable(engine);
  }

  /** One member of TEXT, framed here (not by the codec): 10-byte header, deflate data, trailer. */
  private final byte[] valid = member(TEXT);

  /** The two ways to decompress, each with its own exception types. */
  enum Api {
    BYTE_ARRAY(MalformedGzipException.class, DecompressionLimitException.class) {
      @Override
      byte[] decompress(GzipCodec codec, byte[] gzip) {
        return codec.decompress(gzip);
      }
    },
    STREAM(MalformedGzipIOException.class, DecompressionLimitIOException.class) {
      @Override
      byte[] decompress(GzipCodec codec, byte[] gzip) throws IOException {
        // Closed only on success: after a failure the handle must already be back, close() or not.
        InputStream in = codec.decompressingStream(new ByteArrayInputStream(gzip));
        byte[] data = in.readAllBytes();
        in.close();
        return data;
      }
    };

    final Class<? extends Exception> malformed;
    final Class<? extends Exception> limit;

    Api(Class<? extends Exception> malformed, Class<? extends Exception> limit) {
      this.malformed = malformed;
      this.limit = limit;
    }

    abstract byte[] decompress(GzipCodec codec, byte[] gzip) throws IOException;
  }

  @AfterEach
  void everyHandleGoesBack() {
    try {
      assertNoHandleLeak(codec);
    } finally {
      codec.close();
    }
    assertThat(codec.nativeHandlesEnded())
        .as("handles ended after close()")
        .isEqualTo(codec.nativeHandlesCreated());
  }

  // ---- truncation and corruption sweeps ----

  @ParameterizedTest
  @EnumSource(Api.class)
  void truncatedMember_isMalformed_namingTheOffset_atEveryLength(Api api) {
    for (int length = 0; length < valid.length; length++) {
      String message = malformedMessage(api, codec, Arrays.copyOf(valid, length));

      assertThat(message)
          .as("cut at %d of %d bytes", length, valid.length)
          .contains("input ends inside")
          .contains("offset " + length);
    }
  }

  @ParameterizedTest
  @EnumSource(Api.class)
  void flippedBit_isMalformed_orDecodesToTheOriginal_atEveryBit(Api api) {
    SortedSet<Integer> harmless = new TreeSet<>();
    for (int bit = 0; bit < valid.length * 8; bit++) {
      byte[] flipped = valid.clone();
      flipped[bit / 8] ^= (byte) (1 << bit % 8);
      byte[] out;
      try {
        out = api.decompress(codec, flipped);
      } catch (Exception e) {
        requireType(api.malformed, e, "bit " + bit + " of byte " + bit / 8);
        assertNoHandleLeak(codec);
        continue;
      }
      assertThat(out).as("output with bit %d of byte %d flipped", bit % 8, bit / 8).isEqualTo(TEXT);
      harmless.add(bit);
    }

    // The header fields nobody checks (MTIME, XFL, OS: bytes 4-9; FLG.FTEXT: bit 0 of byte 3)
    // must be harmless. Every other harmless bit must lie in the deflate data: its final byte's
    // padding bits, and the rare bit whose flip gives another encoding of the same bytes (a
    // back-reference to an identical earlier substring). The output was checked equal above.
    SortedSet<Integer> ignoredHeaderBits = new TreeSet<>(List.of(3 * 8));
    for (int bit = 4 * 8; bit < 10 * 8; bit++) {
      ignoredHeaderBits.add(bit);
    }
    assertThat(harmless).containsAll(ignoredHeaderBits);
    for (int bit : harmless) {
      if (!ignoredHeaderBits.contains(bit)) {
        assertThat(bit / 8).as("byte of harmless bit %d", bit).isBetween(10, valid.length - 9);
      }
    }
  }

  // ---- the header ----

  @ParameterizedTest
  @EnumSource(Api.class)
  void inputThatIsNotGzip_isRejectedAsNotGzip(Api api) {
    byte[] wrongFirstByte = valid.clone();
    wrongFirstByte[0] = 0x1e;
    byte[] wrongSecondByte = valid.clone();
    wrongSecondByte[1] = (byte) 0x8c;
    List<byte[]> inputs =
        List.of(
            "{\"device\":\"sensor-7\",\"status\":\"ok\"}".getBytes(StandardCharsets.US_ASCII),
            new byte[] {'P', 'K', 3, 4, 20, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
            new byte[64],
            new byte[] {'x'},
            wrongFirstByte,
            wrongSecondByte);

    for (byte[] input : inputs) {
      assertThat(malformedMessage(api, codec, input))
          .as("input starting %02x", input[0])
          .contains("not gzip")
          .contains(
              input.length == 1
                  ? String.format("%02x", input[0])
                  : String.format("%02x %02x", input[0], input[1]));
    }
  }

  @ParameterizedTest
  @EnumSource(Api.class)
  void compressionMethodOtherThanDeflate_isRejectedNamingTheMethod(Api api) {
    for (int method : new int[] {0, 7, 9, 255}) {
      byte[] gzip = valid.clone();
      gzip[2] = (byte) method;

      assertThat(malformedMessage(api, codec, gzip))
          .as("CM %d", method)
          .contains("compression method " + method)
          .contains("offset 2");
    }
  }

  @ParameterizedTest
  @EnumSource(Api.class)
  void reservedFlagBit_isRejectedNamingIt(Api api) {
    for (int bit : new int[] {0x20, 0x40, 0x80}) {
      byte[] gzip = valid.clone();
      gzip[3] = (byte) bit;

      assertThat(malformedMessage(api, codec, gzip))
          .as("FLG bit 0x%02x", bit)
          .contains("reserved flag")
          .contains(String.format("0x%02x", bit))
          .contains("offset 3");
    }
  }

  // ---- the trailer ----

  @ParameterizedTest
  @EnumSource(Api.class)
  void isizeLargerThanTheData_isRejectedAsIsizeMismatch(Api api) {
    byte[] gzip = withIsize(valid, 0xFFFF_FFF0L);

    assertThat(malformedMessage(api, codec, gzip))
        .contains("ISIZE mismatch")
        .contains("4294967280")
        .contains("offset " + (valid.length - 4));
  }

  @ParameterizedTest
  @EnumSource(Api.class)
  void isizeSmallerThanTheData_isRejectedAsIsizeMismatch(Api api) {
    for (long isize : new long[] {TEXT.length - 1, 1, 0}) {
      assertThat(malformedMessage(api, codec, withIsize(valid, isize)))
          .as("ISIZE %d", isize)
          .contains("ISIZE mismatch")
          .contains("offset " + (valid.length - 4));
    }
  }

  @ParameterizedTest
  @EnumSource(Api.class)
  @Timeout(value = 20, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void maximalIsize_isRejectedQuickly_withoutAllocatingIt(Api api) {
    byte[] gzip = withIsize(valid, 0xFFFF_FFFFL);
    try (GzipCodec limited =
        GzipCodec.builder().engine(engine).maxDecompressedBytes(MIB).poolSize(1).build()) {
      malformedMessage(api, limited, gzip); // warm-up: class loading is not the codec's allocation

      long before = allocatedBytes();
      String message = malformedMessage(api, limited, gzip);
      long allocated = allocatedBytes() - before;

      assertThat(message).contains("ISIZE mismatch").contains("4294967295");
      assertThat(allocated)
          .as("bytes allocated for a 4 GiB ISIZE under a 1 MiB limit")
          .isLessThan(2L * MIB);
    }
  }

  @ParameterizedTest
  @EnumSource(Api.class)
  void crcMismatch_isRejectedNamingCrc32(Api api) {
    byte[] gzip = valid.clone();
    gzip[valid.length - 8] ^= (byte) 0x55;

    assertThat(malformedMessage(api, codec, gzip))
        .contains("CRC32 mismatch")
        .contains("offset " + (valid.length - 8));
  }

  // ---- after the trailer ----

  @ParameterizedTest
  @EnumSource(Api.class)
  void zeroPadding_ofOneByteTo10KiB_afterTheLastMember_isAccepted(Api api) throws IOException {
    for (int padding : new int[] {1, 2, 7, 512, 10 * 1024}) {
      assertThat(api.decompress(codec, concat(valid, new byte[padding])))
          .as("%d zero bytes", padding)
          .isEqualTo(TEXT);
      assertThat(api.decompress(codec, concat(valid, valid, new byte[padding])))
          .as("%d zero bytes after two members", padding)
          .isEqualTo(concat(TEXT, TEXT));
    }
    assertNoHandleLeak(codec);
  }

  @ParameterizedTest
  @EnumSource(Api.class)
  void junkAfterZeroPadding_isRefused_withItsOffset(Api api) {
    for (int padding : new int[] {1, 512, 10 * 1024}) {
      byte[] gzip = concat(valid, new byte[padding], "x".getBytes(StandardCharsets.US_ASCII));

      assertThat(malformedMessage(api, codec, gzip))
          .as("%d zero bytes, then junk", padding)
          .contains("garbage after the zero padding that follows member 1")
          .contains("offset " + (valid.length + padding));
    }
  }

  @ParameterizedTest
  @EnumSource(Api.class)
  void anotherMemberAfterZeroPadding_isRefused_atItsFirstByte(Api api) {
    byte[] gzip = concat(valid, new byte[3], valid);

    assertThat(malformedMessage(api, codec, gzip))
        .contains("garbage after the zero padding")
        .contains("offset " + (valid.length + 3) + ": 1f");
  }

  @ParameterizedTest
  @EnumSource(Api.class)
  void garbageAfterTheTrailer_isRejectedAsGarbage(Api api) {
    List<byte[]> garbage =
        List.of(
            "xyz".getBytes(StandardCharsets.US_ASCII),
            "x".getBytes(StandardCharsets.US_ASCII),
            new byte[] {0x1f, 0x00},
            new byte[] {(byte) 0x8b, 0x1f});

    for (byte[] junk : garbage) {
      byte[] gzip = concat(valid, junk);

      assertThat(malformedMessage(api, codec, gzip))
          .as("%d garbage bytes starting %02x", junk.length, junk[0])
          .contains("garbage after the trailer")
          .contains("offset " + valid.length);
    }
  }

  @ParameterizedTest
  @EnumSource(Api.class)
  void secondValidMember_afterTheTrailer_isAccepted(Api api) throws IOException {
    byte[] other = GzipCodecRoundTripTest.text(1_000, 5);

    assertThat(api.decompress(codec, concat(valid, codec.compress(other))))
        .isEqualTo(concat(TEXT, other));
  }

  // ---- the decompression limit ----

  @ParameterizedTest
  @EnumSource(Api.class)
  @Timeout(value = 20, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void zipBomb_tripsTheLimit_fast_allocatingAboutTheLimit(Api api) {
    byte[] bomb = Bomb.TEN_GIB_OF_ZEROS;
    assertThat(bomb.length).as("compressed size of the 10 GiB bomb").isLessThan(16 * MIB);
    try (GzipCodec limited =
        GzipCodec.builder().engine(engine).maxDecompressedBytes(MIB).poolSize(1).build()) {
      long before = allocatedBytes();
      Exception e = failure(api, limited, bomb);
      long allocated = allocatedBytes() - before;

      requireType(api.limit, e, "10 GiB bomb");
      assertThat(limitOf(e)).isEqualTo(MIB);
      assertThat(e).hasMessageContaining("limit of " + MIB + " bytes");
      assertThat(allocated).as("bytes allocated decompressing the bomb").isLessThan(4L * MIB);
    }
  }

  @Test
  @Timeout(value = 20, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void zipBomb_readInSmallReads_yieldsExactlyTheLimitThenFails() {
    try (GzipCodec limited =
        GzipCodec.builder().engine(engine).maxDecompressedBytes(MIB).poolSize(1).build()) {
      InputStream in = limited.decompressingStream(new ByteArrayInputStream(Bomb.TEN_GIB_OF_ZEROS));
      long[] delivered = {0};
      byte[] buffer = new byte[1_000];

      Throwable thrown =
          catchThrowable(
              () -> {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                  delivered[0] += n;
                }
              });

      assertThat(thrown).isInstanceOf(DecompressionLimitIOException.class);
      assertThat(((DecompressionLimitIOException) thrown).limit()).isEqualTo(MIB);
      assertThat(delivered[0]).as("bytes handed out before the failure").isEqualTo(MIB);
      assertNoHandleLeak(limited);
    }
  }

  @ParameterizedTest
  @EnumSource(Api.class)
  void limit_coversAllMembersTogether(Api api) throws IOException {
    byte[] oneMib = member(new byte[MIB]);
    try (GzipCodec limited =
        GzipCodec.builder()
            .engine(engine)
            .maxDecompressedBytes(MIB + MIB / 2)
            .poolSize(1)
            .build()) {
      assertThat(api.decompress(limited, oneMib)).hasSize(MIB);

      Exception e = failure(api, limited, concat(oneMib, oneMib));

      requireType(api.limit, e, "two 1 MiB members under a 1.5 MiB limit");
      assertThat(limitOf(e)).isEqualTo(MIB + MIB / 2);
    }
  }

  @ParameterizedTest
  @EnumSource(Api.class)
  void outputExactlyAtTheLimit_isAccepted(Api api) throws IOException {
    for (byte[] data :
        List.of(new byte[0], TEXT, new byte[2 * MIB], GzipCodecRoundTripTest.random(300_000, 6))) {
      try (GzipCodec limited =
          GzipCodec.builder()
              .engine(engine)
              .maxDecompressedBytes(data.length)
              .poolSize(1)
              .build()) {
        assertThat(api.decompress(limited, member(data)))
            .as("%d bytes under a limit of as many", data.length)
            .isEqualTo(data);
        assertNoHandleLeak(limited);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Api.class)
  void outputOneByteOverTheLimit_isRejected(Api api) {
    for (byte[] data :
        List.of(new byte[1], TEXT, new byte[2 * MIB], GzipCodecRoundTripTest.random(300_000, 6))) {
      long limit = data.length - 1L;
      try (GzipCodec limited =
          GzipCodec.builder().engine(engine).maxDecompressedBytes(limit).poolSize(1).build()) {
        Exception e = failure(api, limited, member(data));

        requireType(api.limit, e, data.length + " bytes under a limit of " + limit);
        assertThat(limitOf(e)).isEqualTo(limit);
      }
    }
  }

  // ---- the source's and the sink's own failures ----

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 9, 10, 11, 8_192, 60_000, -8, -1})
  void sourceIOException_surfacesUnchanged_andReleasesTheHandle(int failAt) {
    byte[] data = GzipCodecRoundTripTest.random(100_000, 7);
    byte[] gzip = member(data);
    int at = failAt >= 0 ? failAt : gzip.length + failAt;
    IOException diskGone = new IOException("disk gone");
    InputStream in = codec.decompressingStream(new FailingSource(gzip, at, diskGone));
    ByteArrayOutputStream delivered = new ByteArrayOutputStream();

    Throwable thrown =
        catchThrowable(
            () -> {
              byte[] buffer = new byte[4_096];
              for (int n; (n = in.read(buffer)) >= 0; ) {
                delivered.write(buffer, 0, n);
              }
            });

    assertThat(thrown).isSameAs(diskGone);
    assertNoHandleLeak(codec);
    assertThat(delivered.toByteArray())
        .as("what was read before the failure")
        .isEqualTo(Arrays.copyOf(data, delivered.size()));
  }

  @Test
  void readAfterSourceFailure_failsAgain_withTheOriginalAsCause() {
    IOException diskGone = new IOException("disk gone");
    InputStream in = codec.decompressingStream(new FailingSource(valid, 20, diskGone));
    assertThat(catchThrowable(in::readAllBytes)).isSameAs(diskGone);

    assertThatThrownBy(in::read).isInstanceOf(IOException.class).hasCause(diskGone);
    assertNoHandleLeak(codec);
  }

  @Test
  void sourceRuntimeException_surfacesUnchanged_andReleasesTheHandle() {
    IllegalStateException broken = new IllegalStateException("connection pool shut down");
    InputStream in = codec.decompressingStream(new FailingSource(valid, 100, broken));

    assertThat(catchThrowable(in::readAllBytes)).isSameAs(broken);
    assertNoHandleLeak(codec);
  }

  @ParameterizedTest
  @ValueSource(strings = {"header", "first deflate output", "deflate data", "trailer"})
  void sinkIOException_surfacesUnchanged_andReleasesTheHandle_withoutClose(String failingWrite)
      throws IOException {
    byte[] data = GzipCodecRoundTripTest.random(200_000, 8);
    int size = compressInChunks(data, new ByteArrayOutputStream()).size();
    int allowance =
        switch (failingWrite) {
          case "header" -> 0;
          case "first deflate output" -> 10;
          case "deflate data" -> size / 2;
          case "trailer" -> size - 8;
          default -> throw new IllegalArgumentException(failingWrite);
        };
    IOException diskFull = new IOException("disk full");
    FailingSink sink = new FailingSink(allowance, diskFull);

    // The incident's path: the failure surfaces from write() or finish(), and close() never runs.
    Throwable thrown = catchThrowable(() -> compressInChunks(data, sink));

    assertThat(thrown).isSameAs(diskFull);
    assertThat(sink.written).as("bytes the sink took").isLessThanOrEqualTo(allowance);
    assertNoHandleLeak(codec);
  }

  @Test
  void writeAfterSinkFailure_failsAgain_withTheOriginalAsCause() throws IOException {
    IOException diskFull = new IOException("disk full");
    CompressingOutputStream out = codec.compressingStream(new FailingSink(0, diskFull));
    // more than the stream buffers, so that write() compresses a chunk and meets the sink
    assertThat(catchThrowable(() -> out.write(GzipCodecRoundTripTest.random(200_000, 10))))
        .isSameAs(diskFull);

    assertThatThrownBy(() -> out.write(TEXT)).isInstanceOf(IOException.class).hasCause(diskFull);
    assertThatThrownBy(out::finish).isInstanceOf(IOException.class).hasCause(diskFull);
    out.close();
    assertNoHandleLeak(codec);
  }

  @Test
  void sinkRuntimeException_surfacesUnchanged_andReleasesTheHandle() {
    UncheckedIOException broken = new UncheckedIOException(new IOException("socket reset"));
    CompressingOutputStream out = codec.compressingStream(new FailingSink(100, broken));

    assertThat(
            catchThrowable(
                () -> {
                  out.write(GzipCodecRoundTripTest.random(100_000, 9));
                  out.finish();
                }))
        .isSameAs(broken);
    assertNoHandleLeak(codec);
  }

  // ---- arguments ----

  @Test
  void nullInput_toByteArrayMethods_throwsNullPointerException() {
    assertThatNullPointerException().isThrownBy(() -> codec.compress(null));
    assertThatNullPointerException().isThrownBy(() -> codec.compress(null, 0, 0));
    assertThatNullPointerException().isThrownBy(() -> codec.decompress(null));
    assertThat(codec.nativeHandlesCreated()).as("handles created").isZero();
  }

  @Test
  void nullSourceSinkOrBuffer_forStreams_throwsNullPointerException() {
    assertThatNullPointerException().isThrownBy(() -> codec.compressingStream(null));
    assertThatNullPointerException().isThrownBy(() -> codec.decompressingStream(null));
    assertThatNullPointerException()
        .isThrownBy(() -> codec.compressingStream(new ByteArrayOutputStream()).write(null, 0, 0));
    assertThatNullPointerException()
        .isThrownBy(
            () -> codec.decompressingStream(new ByteArrayInputStream(valid)).read(null, 0, 1));
    assertThat(codec.nativeHandlesCreated()).as("handles created").isZero();
  }

  @ParameterizedTest
  @CsvSource({
    "-1, 1",
    "0, -1",
    "11, 0",
    "5, 6",
    "10, 1",
    "2147483647, 1",
    "1, 2147483647",
    "-2147483648, 0"
  })
  void compress_offsetOrLengthOutOfRange_throwsIndexOutOfBounds(int offset, int length) {
    byte[] input = new byte[10];

    assertThatThrownBy(() -> codec.compress(input, offset, length))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(
            () -> codec.compressingStream(new ByteArrayOutputStream()).write(input, offset, length))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThat(codec.nativeHandlesCreated()).as("handles created").isZero();
  }

  @ParameterizedTest
  @ValueSource(ints = {-1, 10, Integer.MIN_VALUE, Integer.MAX_VALUE})
  void builder_rejectsLevelOutsideZeroToNine_namingTheValue(int level) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> GzipCodec.builder().level(level))
        .withMessageContaining("level")
        .withMessageContaining(String.valueOf(level));
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -1, Integer.MIN_VALUE})
  void builder_rejectsPoolSizeBelowOne_namingTheValue(int poolSize) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> GzipCodec.builder().poolSize(poolSize))
        .withMessageContaining("poolSize")
        .withMessageContaining(String.valueOf(poolSize));
  }

  @ParameterizedTest
  @ValueSource(longs = {-1, Long.MIN_VALUE})
  void builder_rejectsNegativeMaxDecompressedBytes_namingTheValue(long max) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> GzipCodec.builder().maxDecompressedBytes(max))
        .withMessageContaining("maxDecompressedBytes")
        .withMessageContaining(String.valueOf(max));
  }

  // ---- helpers ----

  /** Nothing lent out, and no more alive than the two pools can hold idle. */
  private static void assertNoHandleLeak(GzipCodec codec) {
    assertThat(codec.nativeHandlesInUse()).as("native handles lent out").isZero();
    assertThat(codec.nativeHandlesCreated() - codec.nativeHandlesEnded())
        .as("native handles alive")
        .isLessThanOrEqualTo(2L * codec.poolSize());
  }

  /** What decompressing {@code gzip} threw, after checking that the handle is already back. */
  private static Exception failure(Api api, GzipCodec codec, byte[] gzip) {
    byte[] out;
    try {
      out = api.decompress(codec, gzip);
    } catch (Exception e) {
      assertNoHandleLeak(codec);
      return e;
    }
    throw new AssertionError(api + " returned " + out.length + " bytes instead of failing");
  }

  private static String malformedMessage(Api api, GzipCodec codec, byte[] gzip) {
    Exception e = failure(api, codec, gzip);
    requireType(api.malformed, e, api.toString());
    if (e instanceof MalformedGzipIOException) {
      assertThat(e.getCause())
          .isInstanceOf(MalformedGzipException.class)
          .hasMessage(e.getMessage());
    }
    return e.getMessage();
  }

  /** Fails with {@code e} as the cause, so an unexpected exception shows its own stack trace. */
  private static void requireType(Class<? extends Exception> expected, Exception e, String what) {
    if (!expected.isInstance(e)) {
      throw new AssertionError(
          what + ": expected " + expected.getSimpleName() + " but got " + e, e);
    }
  }

  private static long limitOf(Exception e) {
    return e instanceof DecompressionLimitException
        ? ((DecompressionLimitException) e).limit()
        : ((DecompressionLimitIOException) e).limit();
  }

  /** Heap bytes this thread has allocated so far. */
  private static long allocatedBytes() {
    return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
        .getCurrentThreadAllocatedBytes();
  }

  private <S extends OutputStream> S compressInChunks(byte[] data, S sink) throws IOException {
    CompressingOutputStream out = codec.compressingStream(sink);
    for (int i = 0; i < data.length; i += 8_192) {
      out.write(data, i, Math.min(8_192, data.length - i));
    }
    out.finish();
    return sink;
  }

  /** A gzip member: 10-byte header (no flags), raw deflate data from a nowrap Deflater, trailer. */
  static byte[] member(byte[] data) {
    return GzipInteropTest.member(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3}, data);
  }

  private static byte[] withIsize(byte[] gzip, long isize) {
    return withIsize(gzip, isize, GzipFormat.readIntLe(gzip, gzip.length - 8));
  }

  private static byte[] withIsize(byte[] gzip, long isize, long crc) {
    byte[] copy = gzip.clone();
    for (int i = 0; i < 4; i++) {
      copy[copy.length - 8 + i] = (byte) (crc >>> 8 * i);
      copy[copy.length - 4 + i] = (byte) (isize >>> 8 * i);
    }
    return copy;
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  /**
   * {@code error} as it is, typed so that {@code throw} compiles: it must be an IOException or
   * unchecked.
   */
  private static IOException rethrowable(Exception error) {
    if (error instanceof RuntimeException) {
      throw (RuntimeException) error;
    }
    return (IOException) error;
  }

  /** Built once, on first use, by the tests that need it. */
  private static final class Bomb {
    static final byte[] TEN_GIB_OF_ZEROS = zeros(10_240);

    /**
     * A member claiming {@code mebibytes} MiB of zeros, cheaply: deflating 1 MiB of zeros with a
     * sync flush gives a byte-aligned block sequence that only refers back to zeros, so it stays
     * valid repeated any number of times. Then a final empty block and a trailer whose CRC is not
     * computed (the limit must trip long before it is checked).
     */
    static byte[] zeros(int mebibytes) {
      ByteArrayOutputStream block = new ByteArrayOutputStream();
      ByteArrayOutputStream end = new ByteArrayOutputStream();
      Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
      try {
        deflater.setInput(new byte[MIB]);
        byte[] buffer = new byte[64 * 1024];
        int n;
        do {
          n = deflater.deflate(buffer, 0, buffer.length, Deflater.SYNC_FLUSH);
          block.write(buffer, 0, n);
        } while (n == buffer.length || !deflater.needsInput());
        deflater.finish();
        while (!deflater.finished()) {
          end.write(buffer, 0, deflater.deflate(buffer));
        }
      } finally {
        deflater.end();
      }
      byte[] sequence = block.toByteArray();
      ByteArrayOutputStream gzip = new ByteArrayOutputStream(10 + sequence.length * mebibytes + 64);
      gzip.writeBytes(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3});
      for (int i = 0; i < mebibytes; i++) {
        gzip.writeBytes(sequence);
      }
      gzip.writeBytes(end.toByteArray());
      gzip.writeBytes(new byte[8]);
      return withIsize(gzip.toByteArray(), (long) mebibytes * MIB, 0);
    }
  }

  /** Serves {@code data} up to {@code failAt}, then throws {@code error} on every read. */
  private static final class FailingSource extends InputStream {
    private final byte[] data;
    private final int failAt;
    private final Exception error;
    private int position;

    FailingSource(byte[] data, int failAt, Exception error) {
      this.data = data;
      this.failAt = failAt;
      this.error = error;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (position >= failAt) {
        throw rethrowable(error);
      }
      int n = Math.min(len, failAt - position);
      System.arraycopy(data, position, b, off, n);
      position += n;
      return n;
    }
  }

  /** Takes {@code allowance} bytes, then throws {@code error} on every write. */
  private static final class FailingSink extends OutputStream {
    private final int allowance;
    private final Exception error;
    int written;

    FailingSink(int allowance, Exception error) {
      this.allowance = allowance;
      this.error = error;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (written + len > allowance) {
        throw rethrowable(error);
      }
      written += len;
    }
  }
}
