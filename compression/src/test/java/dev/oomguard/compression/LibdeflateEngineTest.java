package dev.oomguard.compression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The libdeflate engine against the JDK's zlib, on its worst paths: every truncation, every bit
 * flip, bombs against the output bound, bad offsets at the Java and at the native layer, and use
 * after close. Skipped, with the build's reason, where the native library was not built.
 */
class LibdeflateEngineTest {
  private static final byte[] TEXT = LeakWorkload.text(64 * 1024);

  /** Bytes around the region a call may write, which must stay untouched. */
  private static final byte CANARY = (byte) 0xA5;

  private static final int GUARD = 64;

  @BeforeEach
  void engineBuilt() {
    NativeEngine.assumeBuilt();
  }

  // Round trips against java.util.zip

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2, 5, 6, 9, 10, 12})
  void compress_atEachLevel_inflatesWithTheJdkInflater(int level) throws DataFormatException {
    try (LibdeflateCompressor compressor = new LibdeflateCompressor(level)) {
      for (byte[] input : inputs()) {
        byte[] out = new byte[compressor.maxCompressedSize(input.length)];
        int written = compressor.compress(input, 0, input.length, out, 0, out.length);

        assertThat(written).as("level %d, %d bytes", level, input.length).isPositive();
        assertThat(jdkInflate(out, 0, written, input.length)).isEqualTo(input);
      }
    }
  }

  @Test
  void compress_intoANewArray_leavesThePrefixAndSuffixForTheFramingAndInflatesWithTheJdk()
      throws DataFormatException {
    try (LibdeflateCompressor compressor = new LibdeflateCompressor(6)) {
      for (byte[] input : inputs()) {
        byte[] out = compressor.compress(input, 0, input.length, 10, 8);
        byte[] deflate = new byte[out.length - 18];
        System.arraycopy(out, 10, deflate, 0, deflate.length);

        assertThat(Arrays.copyOf(out, 10)).containsOnly(0);
        assertThat(Arrays.copyOfRange(out, out.length - 8, out.length)).containsOnly(0);
        assertThat(jdkInflate(deflate, 0, deflate.length, input.length)).isEqualTo(input);
        byte[] buffer = new byte[compressor.maxCompressedSize(input.length)];
        int written = compressor.compress(input, 0, input.length, buffer, 0, buffer.length);
        assertThat(Arrays.copyOf(buffer, written))
            .as("the same stream as through a caller's buffer")
            .isEqualTo(deflate);
      }
    }
  }

  @Test
  void compress_aSliceAtAnOffset_compressesOnlyTheSlice() throws DataFormatException {
    try (LibdeflateCompressor compressor = new LibdeflateCompressor(6)) {
      byte[] out = new byte[GUARD + compressor.maxCompressedSize(1000) + GUARD];
      Arrays.fill(out, CANARY);
      int written = compressor.compress(TEXT, 333, 1000, out, GUARD, out.length - 2 * GUARD);

      assertThat(jdkInflate(out, GUARD, written, 1000))
          .isEqualTo(Arrays.copyOfRange(TEXT, 333, 1333));
      assertGuarded(out, GUARD, written);
    }
  }

  @Test
  void compress_intoTooSmallABuffer_saysOutputFullAndWritesNothingPastIt() {
    try (LibdeflateCompressor compressor = new LibdeflateCompressor(6)) {
      byte[] out = new byte[GUARD + 100 + GUARD];
      Arrays.fill(out, CANARY);

      assertThat(compressor.compress(TEXT, 0, TEXT.length, out, GUARD, 100))
          .isEqualTo(Libdeflate.OUTPUT_FULL);
      assertGuarded(out, GUARD, 100);
    }
  }

  @Test
  void compress_atLevel6_isNoLargerThanZlibAtLevel6() {
    byte[] json = json(256 * 1024);
    try (LibdeflateCompressor compressor = new LibdeflateCompressor(6)) {
      int ours = compressor.compress(json, 0, json.length, 0, 0).length;
      assertThat(ours).isLessThanOrEqualTo(jdkDeflate(json, 6).length);
    }
  }

  @Test
  void compress_levels_tradeSpeedForSizeAsInZlib() {
    byte[] json = json(256 * 1024);
    int[] sizes = new int[13];
    for (int level = 0; level <= 12; level++) {
      try (LibdeflateCompressor compressor = new LibdeflateCompressor(level)) {
        sizes[level] = compressor.compress(json, 0, json.length, 0, 0).length;
      }
    }
    assertThat(sizes[0]).as("level 0 stores").isGreaterThan(json.length);
    assertThat(sizes[1]).isLessThan(json.length / 3);
    assertThat(sizes[9]).isLessThan(sizes[1]);
    assertThat(sizes[12]).isLessThanOrEqualTo(sizes[9]);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 6, 9})
  void decompress_jdkDeflaterOutput_givesTheInput(int level) {
    try (LibdeflateDecompressor decompressor = new LibdeflateDecompressor()) {
      for (byte[] input : inputs()) {
        byte[] deflate = jdkDeflate(input, level);
        byte[] out = new byte[input.length];

        assertThat(decompressor.decompress(deflate, 0, deflate.length, out, 0, out.length))
            .as("level %d, %d bytes", level, input.length)
            .isEqualTo(input.length);
        assertThat(out).isEqualTo(input);
        assertThat(decompressor.consumed()).isEqualTo(deflate.length);
      }
    }
  }

  @Test
  void decompress_jdkHuffmanOnlyAndFilteredStrategies_giveTheInput() {
    try (LibdeflateDecompressor decompressor = new LibdeflateDecompressor()) {
      for (int strategy : new int[] {Deflater.HUFFMAN_ONLY, Deflater.FILTERED}) {
        Deflater deflater = new Deflater(6, true);
        deflater.setStrategy(strategy);
        byte[] deflate = deflate(deflater, TEXT);
        byte[] out = new byte[TEXT.length];

        assertThat(decompressor.decompress(deflate, 0, deflate.length, out, 0, out.length))
            .isEqualTo(TEXT.length);
        assertThat(out).isEqualTo(TEXT);
      }
    }
  }

  @Test
  void decompress_streamFollowedByMoreBytes_reportsWhereTheStreamEnds() {
    byte[] deflate = jdkDeflate(TEXT, 6);
    byte[] framed = new byte[7 + deflate.length + 8 + 100];
    System.arraycopy(deflate, 0, framed, 7, deflate.length);
    Arrays.fill(framed, 7 + deflate.length, framed.length, (byte) 0x1f);
    try (LibdeflateDecompressor decompressor = new LibdeflateDecompressor()) {
      byte[] out = new byte[TEXT.length];

      assertThat(decompressor.decompress(framed, 7, framed.length - 7, out, 0, out.length))
          .isEqualTo(TEXT.length);
      assertThat(decompressor.consumed()).as("the trailer starts here").isEqualTo(deflate.length);
    }
  }

  @Test
  void decompress_largerThanTheCriticalLimit_copiesThroughNativeMemoryWithTheSameResult() {
    byte[] big = json(3 * LibdeflateDecompressor.CRITICAL_MAX_BYTES + 17);
    byte[] deflate = jdkDeflate(big, 6);
    try (LibdeflateDecompressor decompressor = new LibdeflateDecompressor()) {
      byte[] out = new byte[GUARD + big.length + GUARD];
      Arrays.fill(out, CANARY);

      assertThat(decompressor.decompress(deflate, 0, deflate.length, out, GUARD, big.length))
          .isEqualTo(big.length);
      assertThat(Arrays.copyOfRange(out, GUARD, GUARD + big.length)).isEqualTo(big);
      assertGuarded(out, GUARD, big.length);
    }
  }

  // Bad input fails cleanly

  @Test
  void decompress_cutAtEveryOffset_saysBadData() {
    byte[] deflate = jdkDeflate(Arrays.copyOf(TEXT, 4096), 6);
    try (LibdeflateDecompressor decompressor = new LibdeflateDecompressor()) {
      byte[] out = new byte[8192];
      for (int length = 0; length < deflate.length; length++) {
        assertThat(decompressor.decompress(deflate, 0, length, out, 0, out.length))
            .as("cut to %d of %d bytes", length, deflate.length)
            .isEqualTo(Libdeflate.BAD_DATA);
        assertThat(decompressor.consumed()).isZero();
      }
      assertThat(decompressor.decompress(deflate, 0, deflate.length, out, 0, out.length))
          .as("the handle still works after %d failures", deflate.length)
          .isEqualTo(4096);
    }
  }

  @Test
  void decompress_everySingleBitFlipped_failsCleanlyOrDecodesWithinTheBound() {
    byte[] input = Arrays.copyOf(TEXT, 2048);
    byte[] deflate = jdkDeflate(input, 6);
    int bound = 4096;
    byte[] out = new byte[GUARD + bound + GUARD];
    int failed = 0;
    try (LibdeflateDecompressor decompressor = new LibdeflateDecompressor()) {
      for (int bit = 0; bit < deflate.length * 8; bit++) {
        byte[] flipped = deflate.clone();
        flipped[bit / 8] ^= (byte) (1 << (bit % 8));
        Arrays.fill(out, CANARY);

        int result = decompressor.decompress(flipped, 0, flipped.length, out, GUARD, bound);

        assertThat(result).as("bit %d", bit).isBetween(Libdeflate.OUTPUT_FULL, bound);
        assertGuarded(out, GUARD, bound);
        if (result < 0 || !Arrays.equals(out, GUARD, GUARD + result, input, 0, input.length)) {
          failed++;
        }
      }
    }
    assertThat(failed)
        .as("flips that were noticed (the rest hit bits that do not matter)")
        .isGreaterThan(deflate.length * 8 * 9 / 10);
  }

  @Test
  void decompress_randomJunk_failsCleanlyWithinTheBound() {
    SplittableRandom random = new SplittableRandom(1951);
    byte[] out = new byte[GUARD + 1024 + GUARD];
    try (LibdeflateDecompressor decompressor = new LibdeflateDecompressor()) {
      for (int i = 0; i < 20_000; i++) {
        byte[] junk = new byte[random.nextInt(1, 300)];
        random.nextBytes(junk);
        Arrays.fill(out, CANARY);

        assertThat(decompressor.decompress(junk, 0, junk.length, out, GUARD, 1024))
            .isBetween(Libdeflate.OUTPUT_FULL, 1024);
        assertGuarded(out, GUARD, 1024);
      }
    }
  }

  @Test
  void decompress_aBomb_stopsAtTheOutputBoundInBothModes() {
    byte[] zeros = new byte[64 * 1024 * 1024];
    byte[] bomb = jdkDeflate(zeros, 9);
    assertThat(bomb.length).as("a 1000:1 bomb").isLessThan(zeros.length / 900);
    try (LibdeflateDecompressor decompressor = new LibdeflateDecompressor()) {
      for (int bound : new int[] {1000, LibdeflateDecompressor.CRITICAL_MAX_BYTES * 2}) {
        byte[] out = new byte[GUARD + bound + GUARD];
        Arrays.fill(out, CANARY);

        assertThat(decompressor.decompress(bomb, 0, bomb.length, out, GUARD, bound))
            .as("bound %d", bound)
            .isEqualTo(Libdeflate.OUTPUT_FULL);
        assertGuarded(out, GUARD, bound);
      }
    }
  }

  @Test
  void decompress_exactlyTheBound_fitsAndOneByteLessIsOutputFull() {
    byte[] deflate = jdkDeflate(TEXT, 6);
    try (LibdeflateDecompressor decompressor = new LibdeflateDecompressor()) {
      byte[] out = new byte[TEXT.length];
      assertThat(decompressor.decompress(deflate, 0, deflate.length, out, 0, TEXT.length))
          .isEqualTo(TEXT.length);
      assertThat(decompressor.decompress(deflate, 0, deflate.length, out, 0, TEXT.length - 1))
          .isEqualTo(Libdeflate.OUTPUT_FULL);
    }
  }

  // Bad offsets, at both layers

  @Test
  void javaLayer_rejectsOffsetsOutsideTheArrays() {
    byte[] deflate = jdkDeflate(TEXT, 6);
    byte[] out = new byte[TEXT.length];
    try (LibdeflateCompressor compressor = new LibdeflateCompressor(6);
        LibdeflateDecompressor decompressor = new LibdeflateDecompressor()) {
      for (int[] bad : badSlices(deflate.length)) {
        assertThatThrownBy(
                () -> decompressor.decompress(deflate, bad[0], bad[1], out, 0, out.length))
            .as("input offset %d length %d", bad[0], bad[1])
            .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> compressor.compress(deflate, bad[0], bad[1], out, 0, out.length))
            .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> compressor.compress(deflate, bad[0], bad[1], 10, 8))
            .isInstanceOf(IndexOutOfBoundsException.class);
      }
      for (int[] bad : badSlices(out.length)) {
        assertThatThrownBy(
                () -> decompressor.decompress(deflate, 0, deflate.length, out, bad[0], bad[1]))
            .as("output offset %d length %d", bad[0], bad[1])
            .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> compressor.compress(TEXT, 0, 10, out, bad[0], bad[1]))
            .isInstanceOf(IndexOutOfBoundsException.class);
      }
      assertThatThrownBy(() -> compressor.compress(TEXT, 0, 10, -1, 8))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void nativeLayer_checksOffsetsItself_withoutTrustingTheJavaSide() {
    byte[] deflate = jdkDeflate(TEXT, 6);
    byte[] out = new byte[TEXT.length];
    long compressor = Libdeflate.newCompressor(6);
    long decompressor = Libdeflate.newDecompressor();
    try {
      for (int[] bad : badSlices(deflate.length)) {
        for (int mode : new int[] {Libdeflate.MODE_CRITICAL, Libdeflate.MODE_COPY}) {
          assertThat(
                  Libdeflate.decompress(
                      decompressor, deflate, bad[0], bad[1], out, 0, out.length, mode))
              .as("input offset %d length %d, mode %d", bad[0], bad[1], mode)
              .isEqualTo(Libdeflate.BAD_BOUNDS);
          assertThat(
                  Libdeflate.compress(
                      compressor, deflate, bad[0], bad[1], out, 0, out.length, mode))
              .isEqualTo(Libdeflate.BAD_BOUNDS);
        }
        int[] code = new int[1];
        assertThat(Libdeflate.compressToArray(compressor, deflate, bad[0], bad[1], 0, 0, code))
            .isNull();
        assertThat(code[0]).isEqualTo(Libdeflate.BAD_BOUNDS);
      }
      for (int[] bad : badSlices(out.length)) {
        for (int mode : new int[] {Libdeflate.MODE_CRITICAL, Libdeflate.MODE_COPY}) {
          assertThat(
                  Libdeflate.decompress(
                      decompressor, deflate, 0, deflate.length, out, bad[0], bad[1], mode))
              .as("output offset %d length %d, mode %d", bad[0], bad[1], mode)
              .isEqualTo(Libdeflate.BAD_BOUNDS);
          assertThat(Libdeflate.compress(compressor, TEXT, 0, 10, out, bad[0], bad[1], mode))
              .isEqualTo(Libdeflate.BAD_BOUNDS);
        }
      }
      assertThat(Libdeflate.decompress(decompressor, null, 0, 0, out, 0, 1, 0))
          .isEqualTo(Libdeflate.BAD_BOUNDS);
      assertThat(Libdeflate.compress(compressor, TEXT, 0, 1, null, 0, 0, 0))
          .isEqualTo(Libdeflate.BAD_BOUNDS);
      assertThat(Libdeflate.decompress(0, deflate, 0, 1, out, 0, 1, 0))
          .isEqualTo(Libdeflate.NO_HANDLE);
      assertThat(Libdeflate.compress(0, TEXT, 0, 1, out, 0, 1, 0)).isEqualTo(Libdeflate.NO_HANDLE);
      assertThat(Libdeflate.compressBound(0, 1)).isEqualTo(Libdeflate.NO_HANDLE);
      assertThat(Libdeflate.compressBound(compressor, -1)).isEqualTo(Libdeflate.BAD_BOUNDS);
      assertThat(Libdeflate.decompress(decompressor, deflate, 0, 1, out, 0, 1, 2))
          .isEqualTo(Libdeflate.BAD_ARGUMENT);
      assertThat(Libdeflate.compress(compressor, TEXT, 0, 1, out, 0, 1, -1))
          .isEqualTo(Libdeflate.BAD_ARGUMENT);
      assertThat(Libdeflate.newCompressor(13)).as("level 13").isZero();
      assertThat(Libdeflate.newCompressor(-1)).as("level -1").isZero();
    } finally {
      Libdeflate.freeCompressor(compressor);
      Libdeflate.freeDecompressor(decompressor);
    }
  }

  // Handles: freed explicitly, counted in native code

  @Test
  void close_freesTheNativeHandle_andLaterUseFailsInsteadOfTouchingFreedMemory() {
    long before = Libdeflate.liveHandles();
    LibdeflateCompressor compressor = new LibdeflateCompressor(6);
    LibdeflateDecompressor decompressor = new LibdeflateDecompressor();
    assertThat(Libdeflate.liveHandles() - before).isEqualTo(2);

    compressor.close();
    decompressor.close();
    compressor.close();
    decompressor.close();

    assertThat(Libdeflate.liveHandles()).as("freed once each").isEqualTo(before);
    assertThat(compressor.isOpen()).isFalse();
    assertThat(decompressor.isOpen()).isFalse();
    assertThatThrownBy(() -> compressor.compress(TEXT, 0, 10, new byte[100], 0, 100))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThatThrownBy(() -> compressor.maxCompressedSize(10))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> decompressor.decompress(TEXT, 0, 10, new byte[100], 0, 100))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void constructor_withALevelOutsideZeroToTwelve_failsNamingIt() {
    assertThatThrownBy(() -> new LibdeflateCompressor(13))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("13");
    assertThatThrownBy(() -> new LibdeflateCompressor(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-1");
  }

  @Test
  void handles_usedOnManyThreadsAtOnce_eachGiveCorrectResults() throws Exception {
    byte[] json = json(200_000);
    byte[] expected = jdkDeflate(json, 6);
    List<Thread> threads = new ArrayList<>();
    List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
    CyclicBarrier start = new CyclicBarrier(4);
    long before = Libdeflate.liveHandles();
    for (int t = 0; t < 4; t++) {
      threads.add(
          new Thread(
              () -> {
                try (LibdeflateCompressor compressor = new LibdeflateCompressor(6);
                    LibdeflateDecompressor decompressor = new LibdeflateDecompressor()) {
                  start.await();
                  byte[] out = new byte[json.length];
                  for (int i = 0; i < 20; i++) {
                    byte[] deflate = compressor.compress(json, 0, json.length, 0, 0);
                    assertThat(
                            decompressor.decompress(deflate, 0, deflate.length, out, 0, out.length))
                        .isEqualTo(json.length);
                    assertThat(out).isEqualTo(json);
                    assertThat(
                            decompressor.decompress(
                                expected, 0, expected.length, out, 0, out.length))
                        .isEqualTo(json.length);
                  }
                } catch (Throwable e) {
                  failures.add(e);
                }
              }));
    }
    threads.forEach(Thread::start);
    for (Thread thread : threads) {
      thread.join();
    }
    assertThat(failures).isEmpty();
    assertThat(Libdeflate.liveHandles()).isEqualTo(before);
  }

  @Test
  void close_racingACallOnAnotherThread_neverFreesMemoryInUse() throws Exception {
    byte[] big = json(2 * LibdeflateDecompressor.CRITICAL_MAX_BYTES);
    byte[] deflate = jdkDeflate(big, 6);
    long before = Libdeflate.liveHandles();
    for (int round = 0; round < 50; round++) {
      LibdeflateDecompressor decompressor = new LibdeflateDecompressor();
      CountDownLatch calling = new CountDownLatch(1);
      AtomicInteger completed = new AtomicInteger();
      AtomicReference<Throwable> failure = new AtomicReference<>();
      Thread caller =
          new Thread(
              () -> {
                byte[] out = new byte[big.length];
                try {
                  while (true) {
                    calling.countDown();
                    int produced =
                        decompressor.decompress(deflate, 0, deflate.length, out, 0, out.length);
                    if (produced != big.length || !Arrays.equals(out, big)) {
                      throw new AssertionError("a wrong result while racing close()");
                    }
                    completed.incrementAndGet();
                  }
                } catch (IllegalStateException closed) {
                  // the only way out: close() won, between two calls
                } catch (Throwable e) {
                  failure.set(e);
                }
              });
      caller.start();
      calling.await();
      decompressor.close();
      caller.join();

      assertThat(failure.get()).isNull();
      assertThat(decompressor.isOpen()).isFalse();
    }
    assertThat(Libdeflate.liveHandles()).isEqualTo(before);
  }

  // what the tests share

  private static void assertGuarded(byte[] out, int offset, int length) {
    for (int i = 0; i < offset; i++) {
      assertThat(out[i]).as("byte %d before the output", i).isEqualTo(CANARY);
    }
    for (int i = offset + length; i < out.length; i++) {
      assertThat(out[i]).as("byte %d past the output", i - offset - length).isEqualTo(CANARY);
    }
  }

  private static List<int[]> badSlices(int arrayLength) {
    return List.of(
        new int[] {-1, 1},
        new int[] {0, -1},
        new int[] {0, arrayLength + 1},
        new int[] {arrayLength, 1},
        new int[] {1, arrayLength},
        new int[] {Integer.MAX_VALUE, 1},
        new int[] {1, Integer.MAX_VALUE},
        new int[] {Integer.MIN_VALUE, 0});
  }

  private static List<byte[]> inputs() {
    byte[] random = new byte[70_000];
    new SplittableRandom(7).nextBytes(random);
    return List.of(
        new byte[0],
        new byte[] {42},
        Arrays.copyOf(TEXT, 1024),
        TEXT,
        random,
        new byte[300_000],
        json(LibdeflateDecompressor.CRITICAL_MAX_BYTES + 1));
  }

  /** JSON-like records, as services store them. */
  static byte[] json(int size) {
    StringBuilder json = new StringBuilder(size + 200).append('[');
    SplittableRandom random = new SplittableRandom(42);
    String[] words = {
      "device", "online", "firmware", "eu-west", "battery", "status", "ok", "degraded"
    };
    for (int id = 0; json.length() < size; id++) {
      json.append(id == 0 ? "" : ",")
          .append("{\"id\":")
          .append(id)
          .append(",\"name\":\"")
          .append(words[random.nextInt(words.length)])
          .append('-')
          .append(random.nextInt(10_000))
          .append("\",\"value\":")
          .append(random.nextInt(1_000_000) / 100.0)
          .append(",\"ts\":")
          .append(1_700_000_000_000L + random.nextInt(86_400_000))
          .append('}');
    }
    return Arrays.copyOf(json.toString().getBytes(StandardCharsets.US_ASCII), size);
  }

  static byte[] jdkDeflate(byte[] input, int level) {
    return deflate(new Deflater(level, true), input);
  }

  private static byte[] deflate(Deflater deflater, byte[] input) {
    try {
      deflater.setInput(input);
      deflater.finish();
      ByteArrayOutputStream out = new ByteArrayOutputStream(input.length / 2 + 64);
      byte[] buffer = new byte[64 * 1024];
      while (!deflater.finished()) {
        out.write(buffer, 0, deflater.deflate(buffer));
      }
      return out.toByteArray();
    } finally {
      deflater.end();
    }
  }

  static byte[] jdkInflate(byte[] deflate, int offset, int length, int expectedSize)
      throws DataFormatException {
    Inflater inflater = new Inflater(true);
    try {
      inflater.setInput(deflate, offset, length);
      byte[] out = new byte[expectedSize + 1];
      int size = 0;
      while (!inflater.finished()) {
        int n = inflater.inflate(out, size, out.length - size);
        if (n == 0 && !inflater.finished()) {
          assertThat(inflater.needsInput())
              .as("the JDK wants more input than the stream has")
              .isFalse();
          assertThat(size).as("more output than expected").isLessThan(out.length);
        }
        size += n;
      }
      assertThat(inflater.getRemaining()).as("bytes after the stream's end").isZero();
      return Arrays.copyOf(out, size);
    } finally {
      inflater.end();
    }
  }
}
