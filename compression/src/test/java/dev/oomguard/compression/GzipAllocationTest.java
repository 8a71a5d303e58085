package dev.oomguard.compression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What one {@code decompress} call allocates, measured with {@code
 * ThreadMXBean#getThreadAllocatedBytes}, for input that lies about its size: junk, cut files,
 * several members, BGZF-style files ending in an empty member. Each case runs once to warm up, then
 * is measured, at the default limit and at 1 GiB.
 */
@ParameterizedClass(name = "engine={0}")
@EnumSource(names = {"JDK", "LIBDEFLATE"})
class GzipAllocationTest {
  private static final int KIB = 1024;
  private static final int MIB = 1024 * KIB;
  private static final long GIB = 1024L * MIB;

  /**
   * What a call may allocate besides its output: the exception and its message, a few small
   * objects.
   */
  private static final long SMALL = 16 * KIB;

  private final GzipCodec.Engine engine;
  private final GzipCodec atDefault;
  private final GzipCodec atOneGib;
  private final GzipCodec fast;

  GzipAllocationTest(GzipCodec.Engine engine) {
    this.engine = engine;
    this.atDefault = GzipCodec.builder().engine(engine).poolSize(1).build();
    this.atOneGib =
        GzipCodec.builder().engine(engine).poolSize(1).maxDecompressedBytes(GIB).build();
    this.fast = GzipCodec.builder().engine(engine).poolSize(1).level(1).build();
  }

  @BeforeParameterizedClassInvocation
  static void engineUsable(GzipCodec.Engine engine) {
    NativeEngine.assumeUsable(engine);
  }

  @AfterEach
  void closeCodecs() {
    atDefault.close();
    atOneGib.close();
    fast.close();
  }

  @Test
  void junk_ofAnyLength_atAnyLimit_isNotGzip_havingAllocatedASmallConstant() {
    for (int length : new int[] {64 * KIB, MIB}) {
      byte[] junk = new byte[length];
      Arrays.fill(junk, (byte) 0xff);
      for (GzipCodec codec : new GzipCodec[] {atDefault, atOneGib}) {
        long allocated = malformed(codec, junk, "not gzip");
        assertThat(allocated)
            .as("%d bytes of 0xff at limit %d", length, codec.maxDecompressedBytes())
            .isLessThan(SMALL);
      }
    }
  }

  @Test
  void junkBehindAGzipHeader_claimingAHugeIsize_isMalformed_havingAllocatedASmallConstant() {
    byte[] junk = new byte[MIB];
    new SplittableRandom(40).nextBytes(junk);
    byte[] header = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
    System.arraycopy(header, 0, junk, 0, header.length);
    Arrays.fill(junk, junk.length - 4, junk.length, (byte) 0x7f); // ISIZE: 2 GiB - 1 ... almost

    for (GzipCodec codec : new GzipCodec[] {atDefault, atOneGib}) {
      long allocated = malformed(codec, junk, "member 1");
      assertThat(allocated).as("at limit %d", codec.maxDecompressedBytes()).isLessThan(SMALL);
    }
  }

  @Test
  void truncatedFile_allocatesNoMoreThanItsLengthTimesTheTrustedRatio() {
    byte[] whole = atDefault.compress(GzipCodecRoundTripTest.text(48 * KIB, 41));
    for (int cut : new int[] {whole.length / 2, whole.length - 9, whole.length - 1}) {
      byte[] truncated = Arrays.copyOf(whole, cut);
      long bound = (long) ZlibEngine.TRUSTED_RATIO * cut + ZlibEngine.TRUSTED_SLACK + SMALL;
      for (GzipCodec codec : new GzipCodec[] {atDefault, atOneGib}) {
        long allocated = malformed(codec, truncated, "member 1");
        assertThat(allocated)
            .as("%d of %d bytes at limit %d", cut, whole.length, codec.maxDecompressedBytes())
            .isLessThan(bound);
      }
    }
  }

  @Test
  void twoMembersOverTheLimit_stopAtItHavingAllocatedNoMoreThanTheLimit() {
    byte[] gzip = concat(fast.compress(text(32 * MIB)), fast.compress(text(32 * MIB + 1)));

    Supplier<Throwable> call = () -> catchThrowable(() -> atDefault.decompress(gzip));
    call.get();
    long before = allocated();
    Throwable thrown = call.get();
    long allocated = allocated() - before;

    assertThat(thrown).isInstanceOf(DecompressionLimitException.class);
    report("two members of 32 MiB and 32 MiB + 1 at the 64 MiB limit", allocated);
    assertThat(allocated).isLessThanOrEqualTo(GzipCodec.DEFAULT_MAX_DECOMPRESSED_BYTES + SMALL);
  }

  @Test
  void twoMembersUnderTheLimit_allocateAtMostTheLastIsizeAndTheResult() {
    byte[] first = text(32 * MIB);
    byte[] second = text(32 * MIB + 1);
    byte[] gzip = concat(fast.compress(first), fast.compress(second));

    atOneGib.decompress(gzip);
    long before = allocated();
    byte[] data = atOneGib.decompress(gzip);
    long allocated = allocated() - before;

    assertThat(data).hasSize(first.length + second.length);
    report("two members of 32 MiB and 32 MiB + 1 at a 1 GiB limit", allocated);
    assertThat(allocated)
        .as("the last ISIZE's guess, then the exact result")
        .isLessThanOrEqualTo(second.length + (long) data.length + SMALL);
  }

  @Test
  void bgzfStyleFile_endingWithAnEmptyMember_allocatesTheResultOnly() {
    byte[] text = text(40 * MIB);
    ByteArrayOutputStream bgzf = new ByteArrayOutputStream();
    for (int i = 0; i < text.length; i += 64 * KIB) {
      bgzf.writeBytes(fast.compress(text, i, Math.min(64 * KIB, text.length - i)));
    }
    bgzf.writeBytes(fast.compress(new byte[0])); // BGZF's end-of-file marker: ISIZE 0
    byte[] gzip = bgzf.toByteArray();

    for (GzipCodec codec : new GzipCodec[] {atDefault, atOneGib}) {
      codec.decompress(gzip);
      long before = allocated();
      byte[] data = codec.decompress(gzip);
      long allocated = allocated() - before;

      assertThat(data).isEqualTo(text);
      report("BGZF-style 40 MiB at limit " + codec.maxDecompressedBytes(), allocated);
      assertThat(allocated).isLessThanOrEqualTo(text.length + SMALL);
    }
  }

  @Test
  void honestSingleMember_allocatesItsOutputOnce() {
    byte[] text = text(MIB);
    byte[] gzip = atDefault.compress(text);

    atDefault.decompress(gzip);
    long before = allocated();
    byte[] data = atDefault.decompress(gzip);
    long allocated = allocated() - before;

    assertThat(data).isEqualTo(text);
    report("one honest 1 MiB member", allocated);
    assertThat(allocated).isLessThanOrEqualTo(text.length + 1024);
  }

  /**
   * Decompresses once to warm up, then three times, checks each failure, and returns the least any
   * of the three allocated: one-time costs (a class initialized, a call site linked) are not the
   * call's.
   */
  private static long malformed(GzipCodec codec, byte[] input, String message) {
    catchThrowable(() -> codec.decompress(input));
    long allocated = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      long before = allocated();
      Throwable thrown = catchThrowable(() -> codec.decompress(input));
      allocated = Math.min(allocated, allocated() - before);
      assertThat(thrown).isInstanceOf(MalformedGzipException.class).hasMessageContaining(message);
    }
    report(input.length + " malformed bytes at limit " + codec.maxDecompressedBytes(), allocated);
    return allocated;
  }

  private static byte[] text(int size) {
    return GzipCodecRoundTripTest.text(size, 42);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] both = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }

  private static void report(String what, long allocated) {
    System.out.println("GzipAllocationTest: " + what + ": allocated " + allocated + " bytes");
  }

  private static long allocated() {
    return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
        .getCurrentThreadAllocatedBytes();
  }
}
