package dev.oomguard.compression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.testing.GcFinalization;
import dev.oomguard.testsupport.ForkedJvm;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * Incident 1: the codec must never leak native memory (zlib state in C heap), on any path. The
 * handle counts say what the codec holds; VmRSS says what the process holds, measured in a forked
 * JVM (see {@link LeakWorkload}) where the GC has no reason to run, as in the incident.
 *
 * <p>Every codec here is on the JDK engine: these tests count zlib handles, whose deflaters the
 * streams share with the byte-array calls; the libdeflate engine's handles are measured by {@link
 * LibdeflateLeakTest}.
 */
class GzipLeakTest {
  /**
   * The most RSS that oomguard may add over a measured loop: 32 MiB. By design its native memory is
   * at most poolSize idle handles of each kind (4 × ~256 KiB + 4 × ~40 KiB here), one handle per
   * thread inside a call (4 more of each), and one inflater per open decompressing stream, at most
   * {@link #MAX_OPEN_STREAMS} (64 × ~40 KiB): under 6 MiB in all, whatever the callers drop. The
   * JVM's own noise is a few MiB (C1 only, see {@link #FORK_OPTIONS}). A leak of the incident's
   * kind costs 90-130 KiB of RSS per deflater (measured): the 4,800 finish-then-fail operations of
   * the mixed loop alone would add ~600 MiB, the 20,000 of the incident loop ~1.8 GiB, and the
   * 8,000 streams of each kind the abandon loop drops about 1 GiB.
   */
  private static final long RSS_BOUND_KB = 32 * 1024;

  /** The abandon loops' cap on open decompressing streams. */
  private static final int MAX_OPEN_STREAMS = 64;

  /**
   * A multiple of THREADS × {@link LeakWorkload#ABANDON_CYCLE}: 8,000 dropped streams of each kind.
   */
  private static final int ABANDON_OPS = 24_000;

  /** The naive loop must grow RSS by more than this to show that the measurement sees a leak. */
  private static final long NAIVE_LEAK_AT_LEAST_KB = 200 * 1024;

  private static final int THREADS = 4;
  private static final int POOL_SIZE = 4;

  /**
   * A multiple of THREADS × {@link LeakWorkload#MIXED_CYCLE}: exactly half of the operations fail.
   */
  private static final int MIXED_OPS = 51_200;

  private static final int INCIDENT_OPS = 20_000;

  /**
   * The forked JVM: a pre-touched heap, so that it is resident before the baseline and RSS growth
   * is native memory; a fixed young generation that holds all of a run's garbage (under 300 MiB of
   * the ~576 MiB eden), so that no GC runs in the loop, as in the incident (a GC would let the JDK
   * Deflater's own Cleaner free it and hide the leak); and C1 only, because C2's compiler arenas
   * add 30+ MiB of RSS in the middle of a run.
   */
  private static final List<String> FORK_OPTIONS =
      List.of(
          "-Xms1g",
          "-Xmx1g",
          "-Xmn768m",
          "-XX:+UseParallelGC",
          "-XX:-UseAdaptiveSizePolicy",
          "-XX:+AlwaysPreTouch",
          "-XX:TieredStopAtLevel=1");

  private static final byte[] TEXT = LeakWorkload.text(16 * 1024);

  // 1. Every path, half of them failures, on several threads

  @Test
  void mixedWorkload_onEveryPathIncludingFailures_leavesNoHandleOutAndRssUnderTheBound() {
    Report report = runForked("mixed", MIXED_OPS, 5_000);

    assertThat(report.get("unexpected"))
        .as(report.describe("operations that did not behave"))
        .isZero();
    for (String path : report.paths().keySet()) {
      assertThat(report.paths().get(path)).as(report.describe("ops on path " + path)).isPositive();
    }
    long failures =
        report.paths().entrySet().stream()
            .filter(path -> !path.getKey().startsWith("ok-"))
            .mapToLong(Map.Entry::getValue)
            .sum();
    assertThat(failures).as(report.describe("ops on failure paths")).isEqualTo(MIXED_OPS / 2);
    assertThat(report.get("gcsDuringRun"))
        .as(report.describe("GCs in the loop: it must not need the GC"))
        .isZero();
    assertThat(report.get("inUseAfterRun"))
        .as(report.describe("handles out after the loop: a dropped compressing stream holds none"))
        .isZero();
    assertThat(report.get("inUseAfterCleanup"))
        .as(report.describe("handles out once the GC collected them"))
        .isZero();
    assertThat(report.get("created") - report.get("ended"))
        .as(report.describe("live handles (created - ended)"))
        .isLessThanOrEqualTo(2L * POOL_SIZE);
    assertThat(report.get("rssGrowthKb"))
        .as(report.describe("RSS growth, KiB"))
        .isLessThan(RSS_BOUND_KB);
  }

  // 2. The incident's loop: the measurement sees the JDK's leak, and not oomguard's

  @Test
  void jdkGzipOutputStream_finishedThenFailedWithoutClose_growsRssFarBeyondTheBound() {
    Report report = runForked("naive", INCIDENT_OPS, 2_000);

    assertThat(report.get("unexpected"))
        .as(report.describe("operations that did not behave"))
        .isZero();
    assertThat(report.get("gcsDuringRun"))
        .as(report.describe("GCs in the loop: the incident had none"))
        .isZero();
    assertThat(report.get("rssGrowthKb"))
        .as(report.describe("RSS growth, KiB"))
        .isGreaterThan(NAIVE_LEAK_AT_LEAST_KB);
  }

  @Test
  void compressingStream_finishedThenFailedWithoutClose_keepsRssGrowthUnderTheBound() {
    Report report = runForked("oomguard", INCIDENT_OPS, 2_000);

    assertThat(report.get("unexpected"))
        .as(report.describe("operations that did not behave"))
        .isZero();
    assertThat(report.get("gcsDuringRun"))
        .as(report.describe("GCs in the loop: it must not need the GC"))
        .isZero();
    assertThat(report.get("inUseAfterRun"))
        .as(report.describe("handles out after the loop"))
        .isZero();
    assertThat(report.get("created"))
        .as(report.describe("handles created"))
        .isLessThanOrEqualTo(THREADS);
    assertThat(report.get("rssGrowthKb"))
        .as(report.describe("RSS growth, KiB"))
        .isLessThan(RSS_BOUND_KB);
  }

  // 3. Callers that return early, on several threads, in a forked JVM

  @Test
  void abandonedStreams_onFourThreads_keepRssUnderTheBoundAndOpenStreamsUnderTheCap() {
    // 2 s rather than the default 500 ms: on a loaded CI machine the cleaner thread can be slow to
    // run
    Report report = runForked("abandon", ABANDON_OPS, 3_000, FORK_OPTIONS, MAX_OPEN_STREAMS, 2_000);

    assertThat(report.get("unexpected"))
        .as(report.describe("operations that did not behave"))
        .isZero();
    assertThat(report.paths().get("abandoned-after-write"))
        .as(report.describe("dropped compressing streams"))
        .isEqualTo(ABANDON_OPS / 3);
    assertThat(report.paths().get("abandoned-partial-read"))
        .as(report.describe("dropped decompressing streams"))
        .isEqualTo(ABANDON_OPS / 3);
    assertThat(report.paths().get("stream-limit"))
        .as(
            report.describe(
                "streams refused: the codec's reclaim found the dropped ones every time"))
        .isZero();
    assertThat(report.get("openStreamsHighWater"))
        .as(report.describe("most open decompressing streams at once"))
        .isLessThanOrEqualTo(MAX_OPEN_STREAMS);
    assertThat(report.get("liveAfterRun"))
        .as(report.describe("live handles after the loop: pools + open streams"))
        .isLessThanOrEqualTo(2L * POOL_SIZE + MAX_OPEN_STREAMS);
    assertThat(report.get("rssGrowthKb"))
        .as(report.describe("RSS growth, KiB"))
        .isLessThan(RSS_BOUND_KB);
  }

  @Test
  void abandonedStreams_withNoGcAtAll_stopAtTheCapWithTheNamedExceptionAndKeepRssUnderTheBound() {
    List<String> noGc = new ArrayList<>(FORK_OPTIONS);
    noGc.add("-XX:+DisableExplicitGC"); // not even the codec's reclaim can make a GC run
    Report report = runForked("abandon", ABANDON_OPS, 3_000, noGc, MAX_OPEN_STREAMS, 0);

    assertThat(report.get("explicitGc")).as(report.describe("explicit GC disabled")).isZero();
    assertThat(report.get("unexpected"))
        .as(report.describe("operations that did not behave"))
        .isZero();
    assertThat(report.get("gcsDuringRun")).as(report.describe("GCs in the loop")).isZero();
    assertThat(report.paths().get("abandoned-partial-read"))
        .as(report.describe("dropped decompressing streams that got an inflater: exactly the cap"))
        .isEqualTo(MAX_OPEN_STREAMS);
    assertThat(report.paths().get("stream-limit"))
        .as(report.describe("the rest were refused"))
        .isEqualTo(ABANDON_OPS / 3 - MAX_OPEN_STREAMS);
    assertThat(report.get("openStreamsHighWater"))
        .as(report.describe("most open decompressing streams at once"))
        .isEqualTo(MAX_OPEN_STREAMS);
    assertThat(report.get("inUseAfterRun"))
        .as(report.describe("handles out: the capped streams' inflaters"))
        .isEqualTo(MAX_OPEN_STREAMS);
    assertThat(report.get("rssGrowthKb"))
        .as(report.describe("RSS growth, KiB"))
        .isLessThan(RSS_BOUND_KB);
  }

  @Test
  void jdkStreams_abandonedAfterAWriteOrAPartialRead_growRssFarBeyondTheBound() {
    Report report =
        runForked("naive-abandon", ABANDON_OPS / 3, 1_000, FORK_OPTIONS, MAX_OPEN_STREAMS, 500);

    assertThat(report.get("unexpected"))
        .as(report.describe("operations that did not behave"))
        .isZero();
    assertThat(report.get("gcsDuringRun")).as(report.describe("GCs in the loop")).isZero();
    assertThat(report.get("rssGrowthKb"))
        .as(report.describe("RSS growth, KiB"))
        .isGreaterThan(NAIVE_LEAK_AT_LEAST_KB);
  }

  // 4. Dropped streams in this JVM: a compressing one holds nothing, a decompressing one until
  // collected

  @Test
  void compressingStream_abandonedAfterWrites_holdsNoHandleWithoutAnyGc() throws IOException {
    try (GzipCodec codec = GzipCodec.builder().engine(GzipCodec.Engine.JDK).poolSize(2).build()) {
      List<WeakReference<Object>> abandoned = abandonWrittenStreams(codec, 20);

      assertThat(abandoned)
          .allSatisfy(stream -> assertThat(stream.get()).as("not collected yet").isNotNull());
      assertThat(codec.nativeHandlesInUse())
          .as("dropped compressing streams hold no handle")
          .isZero();
      assertThat(codec.nativeHandlesCreated() - codec.nativeHandlesEnded())
          .as("live handles")
          .isLessThanOrEqualTo(2);
      byte[] gzip = codec.compress(TEXT);
      assertThat(jdkGunzip(gzip)).as("the pooled deflater was reset").isEqualTo(TEXT);
    }
  }

  @Test
  void decompressingStream_abandonedAfterAPartialRead_givesItsInflaterBackToThePool_onceCollected()
      throws IOException {
    try (GzipCodec codec = GzipCodec.builder().engine(GzipCodec.Engine.JDK).poolSize(2).build()) {
      byte[] gzip = jdkGzip(TEXT);
      List<WeakReference<Object>> abandoned = abandonPartlyReadStreams(codec, gzip, 1);
      assertThat(codec.nativeHandlesInUse())
          .as("the abandoned stream holds its inflater")
          .isEqualTo(1);

      awaitCollected(abandoned);
      GcFinalization.awaitDone(() -> codec.nativeHandlesInUse() == 0);

      assertThat(codec.nativeHandlesIdle()).as("back in the pool").isEqualTo(1);
      assertThat(codec.nativeHandlesCreated() - codec.nativeHandlesEnded()).isEqualTo(1);
      assertThat(codec.decompress(gzip)).as("the reused inflater was reset").isEqualTo(TEXT);
      assertThat(codec.nativeHandlesCreated())
          .as("the pooled inflater is reused, not replaced")
          .isEqualTo(1);
    }
  }

  @Test
  void abandonedStreams_moreThanThePoolHolds_haveTheSurplusEnded_onceCollected()
      throws IOException {
    try (GzipCodec codec = GzipCodec.builder().engine(GzipCodec.Engine.JDK).poolSize(2).build()) {
      List<WeakReference<Object>> abandoned = abandonPartlyReadStreams(codec, jdkGzip(TEXT), 5);
      assertThat(codec.nativeHandlesInUse()).isEqualTo(5);
      assertThat(codec.openDecompressingStreams()).isEqualTo(5);

      awaitCollected(abandoned);
      GcFinalization.awaitDone(() -> codec.nativeHandlesInUse() == 0);

      assertThat(codec.openDecompressingStreams()).as("their slots are back too").isZero();
      assertThat(codec.nativeHandlesIdle()).as("a full pool: 2 inflaters").isEqualTo(2);
      assertThat(codec.nativeHandlesCreated()).isEqualTo(5);
      assertThat(codec.nativeHandlesEnded()).as("the surplus is ended, not kept").isEqualTo(3);
    }
  }

  // 5. close() ends what the codec holds

  @Test
  void close_withNothingInUse_endsEveryIdleHandle() throws IOException {
    GzipCodec codec = GzipCodec.builder().engine(GzipCodec.Engine.JDK).poolSize(2).build();
    byte[] gzip = jdkGzip(TEXT);
    // Two decompressing streams at once, so that the pool ends up holding two inflaters; the
    // compressing streams borrow one deflater in turn, only inside their calls.
    CompressingOutputStream out1 = codec.compressingStream(OutputStream.nullOutputStream());
    CompressingOutputStream out2 = codec.compressingStream(OutputStream.nullOutputStream());
    InputStream in1 = codec.decompressingStream(new ByteArrayInputStream(gzip));
    InputStream in2 = codec.decompressingStream(new ByteArrayInputStream(gzip));
    out1.write(TEXT);
    out2.write(TEXT);
    assertThat(in1.read()).isEqualTo(TEXT[0]);
    assertThat(in2.read()).isEqualTo(TEXT[0]);
    out1.close();
    out2.close();
    in1.close();
    in2.close();
    assertThat(codec.nativeHandlesIdle()).isEqualTo(3);
    assertThat(codec.nativeHandlesEnded()).isZero();

    codec.close();

    assertThat(codec.nativeHandlesIdle()).isZero();
    assertThat(codec.nativeHandlesCreated()).isEqualTo(3);
    assertThat(codec.nativeHandlesEnded()).isEqualTo(3);
  }

  @Test
  void close_whileACompressingStreamIsOpen_letsItFinishWithADeflaterEndedAtOnce()
      throws IOException {
    GzipCodec codec = GzipCodec.builder().engine(GzipCodec.Engine.JDK).poolSize(2).build();
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    CompressingOutputStream out = codec.compressingStream(sink);
    out.write(TEXT);

    codec.close();
    assertThat(codec.nativeHandlesInUse())
        .as("the open stream holds no deflater between calls")
        .isZero();
    out.write(TEXT);
    out.finish();

    assertThat(codec.nativeHandlesInUse()).isZero();
    assertThat(codec.nativeHandlesIdle()).as("not pooled: the codec is closed").isZero();
    assertThat(codec.nativeHandlesEnded()).isEqualTo(codec.nativeHandlesCreated()).isEqualTo(1);
    assertThat(jdkGunzip(sink.toByteArray()))
        .as("the stream still completes")
        .isEqualTo(concat(TEXT, TEXT));
  }

  @Test
  void close_whileADecompressingStreamIsOpen_endsItsInflaterAtTheEndOfTheInput()
      throws IOException {
    GzipCodec codec = GzipCodec.builder().engine(GzipCodec.Engine.JDK).poolSize(2).build();
    InputStream in = codec.decompressingStream(new ByteArrayInputStream(jdkGzip(TEXT)));
    byte[] first = in.readNBytes(100);

    codec.close();
    assertThat(codec.nativeHandlesInUse()).as("the open stream keeps its inflater").isEqualTo(1);
    byte[] rest = in.readAllBytes();

    assertThat(concat(first, rest)).as("the stream still completes").isEqualTo(TEXT);
    assertThat(codec.nativeHandlesInUse()).isZero();
    assertThat(codec.nativeHandlesIdle()).as("not pooled: the codec is closed").isZero();
    assertThat(codec.nativeHandlesEnded()).isEqualTo(codec.nativeHandlesCreated()).isEqualTo(1);
  }

  // 6. close() racing with operations

  @RepeatedTest(50)
  void close_racingWithOperationsOnEveryThread_leavesNothingHoldingNativeMemoryAndRejectsTheRest()
      throws Exception {
    GzipCodec codec = GzipCodec.builder().engine(GzipCodec.Engine.JDK).poolSize(2).build();
    byte[] gzip = jdkGzip(TEXT);
    long closeAfterMicros = ThreadLocalRandom.current().nextLong(2_000);
    AtomicBoolean closing = new AtomicBoolean();
    CountDownLatch everyWorkerWorked = new CountDownLatch(THREADS);
    ExecutorService threads = Executors.newFixedThreadPool(THREADS + 1);
    try {
      List<Future<Long>> workers = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int first = t;
        workers.add(
            threads.submit(
                () -> hammerUntilRejected(codec, gzip, first, closing, everyWorkerWorked)));
      }
      Future<?> closer =
          threads.submit(
              () -> {
                everyWorkerWorked.await();
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(closeAfterMicros));
                closing.set(true);
                codec.close();
                return null;
              });
      closer.get(30, TimeUnit.SECONDS);
      for (Future<Long> worker : workers) {
        assertThat(worker.get(30, TimeUnit.SECONDS))
            .as("ops before the worker was rejected")
            .isPositive();
      }
    } finally {
      threads.shutdownNow();
    }

    String race =
        "close after "
            + closeAfterMicros
            + " µs; created "
            + codec.nativeHandlesCreated()
            + ", ended "
            + codec.nativeHandlesEnded()
            + ", idle "
            + codec.nativeHandlesIdle();
    assertThat(codec.nativeHandlesInUse()).as(race).isZero();
    assertThat(codec.nativeHandlesIdle()).as(race).isZero();
    assertThat(codec.nativeHandlesEnded()).as(race).isEqualTo(codec.nativeHandlesCreated());
    assertThatThrownBy(() -> codec.compress(TEXT)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> codec.decompress(gzip)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> codec.compressingStream(OutputStream.nullOutputStream()))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> codec.decompressingStream(new ByteArrayInputStream(gzip)))
        .isInstanceOf(IllegalStateException.class);
  }

  /**
   * Compresses and decompresses, through byte arrays and streams, until the codec rejects an
   * operation with IllegalStateException, which must not happen before close() starts. Returns the
   * number of operations that succeeded.
   */
  private static long hammerUntilRejected(
      GzipCodec codec, byte[] gzip, int first, AtomicBoolean closing, CountDownLatch worked)
      throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    for (long op = 0; System.nanoTime() < deadline; op++) {
      try {
        switch ((int) ((first + op) % 4)) {
          case 0:
            assertThat(codec.compress(TEXT)).isNotEmpty();
            break;
          case 1:
            assertThat(codec.decompress(gzip)).hasSameSizeAs(TEXT);
            break;
          case 2:
            try (OutputStream out = codec.compressingStream(OutputStream.nullOutputStream())) {
              out.write(TEXT);
            }
            break;
          default:
            try (InputStream in = codec.decompressingStream(new ByteArrayInputStream(gzip))) {
              assertThat(in.readAllBytes()).hasSameSizeAs(TEXT);
            }
            break;
        }
      } catch (IllegalStateException rejected) {
        assertThat(closing).as("rejected before close(): %s", rejected).isTrue();
        return op;
      }
      if (op == 0) {
        worked.countDown();
      }
    }
    throw new AssertionError("the codec still accepted operations 20 s after close()");
  }

  // Helpers

  /** Streams that took a deflater (by writing) and were dropped without finish() or close(). */
  private static List<WeakReference<Object>> abandonWrittenStreams(GzipCodec codec, int count)
      throws IOException {
    List<WeakReference<Object>> streams = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      OutputStream out = codec.compressingStream(new ByteArrayOutputStream());
      out.write(TEXT);
      streams.add(new WeakReference<>(out));
    }
    return streams;
  }

  /**
   * Streams that took an inflater (by reading part of the input) and were dropped without close().
   */
  private static List<WeakReference<Object>> abandonPartlyReadStreams(
      GzipCodec codec, byte[] gzip, int count) throws IOException {
    List<WeakReference<Object>> streams = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      InputStream in = codec.decompressingStream(new ByteArrayInputStream(gzip));
      assertThat(in.readNBytes(100)).hasSize(100);
      streams.add(new WeakReference<>(in));
    }
    return streams;
  }

  private static void awaitCollected(List<WeakReference<Object>> streams) {
    for (WeakReference<Object> stream : streams) {
      GcFinalization.awaitClear(stream);
    }
  }

  private static byte[] jdkGzip(byte[] data) throws IOException {
    ByteArrayOutputStream gzip = new ByteArrayOutputStream();
    try (OutputStream out = new GZIPOutputStream(gzip)) {
      out.write(data);
    }
    return gzip.toByteArray();
  }

  private static byte[] jdkGunzip(byte[] gzip) throws IOException {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip))) {
      return in.readAllBytes();
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] both = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }

  // The forked JVM

  /** Runs {@link LeakWorkload} in a fresh JVM and returns what it measured. */
  private static Report runForked(String mode, int ops, int warmupOps) {
    return runForked(
        mode, ops, warmupOps, FORK_OPTIONS, GzipCodec.DEFAULT_MAX_OPEN_DECOMPRESSING_STREAMS, 500);
  }

  private static Report runForked(
      String mode,
      int ops,
      int warmupOps,
      List<String> options,
      int maxOpenStreams,
      long reclaimWaitMillis) {
    ForkedJvm.Result jvm =
        ForkedJvm.run(
                options,
                LeakWorkload.class,
                mode,
                String.valueOf(ops),
                String.valueOf(THREADS),
                String.valueOf(warmupOps),
                String.valueOf(POOL_SIZE),
                String.valueOf(maxOpenStreams),
                String.valueOf(reclaimWaitMillis))
            .exitedNormally();
    Report report = Report.parse(jvm.output());
    System.out.println("GzipLeakTest, forked " + mode + ": " + report.summary());
    return report;
  }

  /** The {@code key=value} lines that {@link LeakWorkload} prints. */
  private record Report(Map<String, Long> values, String output) {
    static Report parse(String output) {
      Map<String, Long> values = new LinkedHashMap<>();
      for (String line : output.split("\\R")) {
        int eq = line.indexOf('=');
        if (eq > 0 && line.substring(eq + 1).matches("-?[0-9]+")) {
          values.put(line.substring(0, eq), Long.parseLong(line.substring(eq + 1)));
        }
      }
      return new Report(values, output);
    }

    long get(String key) {
      Long value = values.get(key);
      assertThat(value).as("%s in the forked JVM's output:%n%s", key, output).isNotNull();
      return value;
    }

    Map<String, Long> paths() {
      Map<String, Long> paths = new LinkedHashMap<>();
      values.forEach(
          (key, value) -> {
            if (key.startsWith("path.")) {
              paths.put(key.substring("path.".length()), value);
            }
          });
      assertThat(paths).as("paths in the forked JVM's output:%n%s", output).isNotEmpty();
      return paths;
    }

    /** The measured figures on one line, for the build log. */
    String summary() {
      StringBuilder line = new StringBuilder();
      values.forEach(
          (key, value) -> {
            if (!key.startsWith("path.")) {
              line.append(key).append('=').append(value).append(' ');
            }
          });
      return line.toString().trim();
    }

    String describe(String what) {
      return what + " (forked JVM reported: " + output.replaceAll("\\R+", " ").trim() + ")";
    }
  }
}
