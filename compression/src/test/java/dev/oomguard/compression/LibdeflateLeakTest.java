package dev.oomguard.compression;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomguard.testsupport.ForkedJvm;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The libdeflate engine's native memory, measured as RSS in a forked JVM: 100,000 byte-array
 * operations on 4 threads, half of them failures, leave RSS flat and no handle alive, whether every
 * operation makes and frees its own handle, borrows one from a pool, or goes through a {@link
 * GzipCodec} on libdeflate (whose failures also borrow a JDK inflater). Nothing here waits for the
 * GC: the handles have no cleaner, only close().
 */
class LibdeflateLeakTest {
  /**
   * The most RSS a measured run may add: 24 MiB. What the engine can hold at once, by design: one
   * compressor (~672 KB at level 6, plus up to 512 KiB of retained scratch) and one decompressor
   * (~12 KB, plus scratch) per thread, ~5 MiB for 4 threads; and what glibc keeps of the 1.2 MiB
   * buffers that large calls malloc and free, ~2.5 MiB per thread's arena, ~10 MiB. The JVM's own
   * noise is under 2 MiB (C1 only). A leak of one level-6 compressor per operation costs over 100
   * KiB of RSS each (the control below measures it): 50,000 compressor operations would add 5 GiB.
   */
  private static final long RSS_BOUND_KB = 24 * 1024;

  private static final int OPS = 100_000;
  private static final int THREADS = 4;
  private static final int LEAKED = 2_000;

  /** As {@link GzipLeakTest}: a resident heap before the baseline, no GC in the loop, C1 only. */
  private static final List<String> FORK_OPTIONS =
      List.of(
          "-Xms1g",
          "-Xmx1g",
          "-Xmn768m",
          "-XX:+UseParallelGC",
          "-XX:-UseAdaptiveSizePolicy",
          "-XX:+AlwaysPreTouch",
          "-XX:TieredStopAtLevel=1");

  @BeforeEach
  void engineBuilt() {
    NativeEngine.assumeBuilt();
  }

  @Test
  void createUseFree_100kOperationsHalfFailing_leavesRssFlatAndNoHandleAlive() {
    ForkedJvm.Result result = run("create-use-free", OPS, 4_000);

    assertFlat(result);
  }

  @Test
  void pooled_100kOperationsHalfFailing_leavesRssFlatAndOnlyThePooledHandlesAlive() {
    ForkedJvm.Result result = run("pooled", OPS, 4_000);

    // The warm-up need not fill both pools (it depends on how the threads interleave): the run may
    // add idle handles up to their capacity, and closing them must leave none.
    assertFlat(result, 2 * THREADS);
  }

  @Test
  void codec_100kOperationsHalfFailing_leavesRssFlatAndNoHandleAliveAfterClose() {
    ForkedJvm.Result result = run("codec", OPS, 4_000);

    // the pools may fill up during the run (a compressor and a decompressor per thread at most)
    assertFlat(result, 2 * THREADS);
    assertThat(result.number("codecHandlesInUse"))
        .as(result.describe("codec handles lent out after the run"))
        .isZero();
  }

  @Test
  void leak_ofCompressorsNeverClosed_growsRssFarBeyondTheBound() {
    ForkedJvm.Result result = run("leak", LEAKED, 100);

    assertThat(result.number("unexpected"))
        .as(result.describe("operations that did not behave"))
        .isZero();
    assertThat(result.number("liveHandlesGrowth"))
        .as(result.describe("handles alive"))
        .isEqualTo(LEAKED);
    assertThat(result.number("rssGrowthKb"))
        .as(result.describe("RSS growth, KiB: the measurement sees a leak"))
        .isGreaterThan(4 * RSS_BOUND_KB);
  }

  private static void assertFlat(ForkedJvm.Result result) {
    assertFlat(result, 0);
  }

  private static void assertFlat(ForkedJvm.Result result, int pooledHandles) {
    assertThat(result.number("unexpected"))
        .as(result.describe("operations that did not behave"))
        .isZero();
    assertThat(result.number("failures"))
        .as(result.describe("operations on error paths"))
        .isEqualTo(OPS / 2);
    assertThat(result.number("liveHandlesGrowth"))
        .as(result.describe("handles alive after the run"))
        .isLessThanOrEqualTo(pooledHandles);
    assertThat(result.number("liveHandlesAfterClose"))
        .as(result.describe("handles alive once the pool is closed"))
        .isZero();
    assertThat(result.number("rssGrowthKb"))
        .as(result.describe("RSS growth, KiB"))
        .isLessThan(RSS_BOUND_KB);
  }

  private static ForkedJvm.Result run(String mode, int ops, int warmup) {
    ForkedJvm.Result result =
        ForkedJvm.run(
                FORK_OPTIONS,
                LibdeflateLeakWorkload.class,
                mode,
                String.valueOf(ops),
                String.valueOf(THREADS),
                String.valueOf(warmup))
            .exitedNormally();
    System.out.println(
        "LibdeflateLeakTest, forked " + mode + ": " + result.output().replace('\n', ' '));
    return result;
  }
}
