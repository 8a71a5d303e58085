package dev.oomguard.compression;

import com.google.common.testing.GcFinalization;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.LongAdder;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.jspecify.annotations.Nullable;

/**
 * The workloads that {@link GzipLeakTest} measures in a forked JVM. The test starts that JVM with a
 * pre-touched heap whose young generation holds all the garbage of a run, so no GC runs while the
 * loop is measured: the incident's condition (the GC sees a few tiny Java objects and has no reason
 * to run) and the reason the growth of VmRSS is native memory, not heap.
 *
 * <p>{@code LeakWorkload MODE OPS THREADS WARMUP_OPS POOL_SIZE [MAX_OPEN_STREAMS RECLAIM_WAIT_MS]}
 * runs WARMUP_OPS operations (so that classes are loaded and code compiled), collects the garbage,
 * takes VmRSS as the baseline, runs OPS operations split over THREADS threads, and prints what it
 * measured as {@code key=value} lines. MODE is one of:
 *
 * <ul>
 *   <li>{@code naive}: the incident, with the JDK: {@code new GZIPOutputStream(sink)}, write,
 *       {@code finish()}, then an exception and no {@code close()};
 *   <li>{@code oomguard}: the same loop with {@link GzipCodec#compressingStream};
 *   <li>{@code mixed}: every path of the codec, half of them failures (see {@link Worker#mixedOp});
 *   <li>{@code abandon}: callers that return early (see {@link Worker#abandonOp}): a third of the
 *       operations drop a compressing stream after writing, a third drop a decompressing stream
 *       after a partial read, the rest finish without closing or fail in the sink;
 *   <li>{@code naive-abandon}: the same drops with the JDK's {@code GZIPOutputStream} and {@code
 *       GZIPInputStream}.
 * </ul>
 */
final class LeakWorkload {
  /** Ops per cycle of the mixed workload: half succeed, half fail; see {@link Worker#mixedOp}. */
  static final int MIXED_CYCLE = 32;

  /** Ops per cycle of the abandon workload; see {@link Worker#abandonOp}. */
  static final int ABANDON_CYCLE = 6;

  /**
   * The application's own failure after {@code finish()}: shared and stackless, so it costs no
   * heap.
   */
  private static final IOException AFTER_FINISH =
      new StacklessIOException("the application failed after finish()");

  /**
   * False under -XX:+DisableExplicitGC: then nothing, neither the codec nor this class, can make a
   * GC run.
   */
  private static final boolean EXPLICIT_GC =
      !ManagementFactory.getRuntimeMXBean().getInputArguments().contains("-XX:+DisableExplicitGC");

  private final String mode;
  private final GzipCodec.Builder config;

  /**
   * Replaced by a fresh codec after the warm-up when no GC can give the warm-up's dropped streams
   * back.
   */
  private volatile GzipCodec codec;

  private final int threads;
  private final byte[] text = text(4 * 1024);
  private final byte[] gzipText;

  /**
   * More than a compressing stream buffers, so that write() compresses a chunk and meets the sink.
   */
  private final byte[] largeText = text(100 * 1024);

  /**
   * The compressed text up to (not including) its trailer: a sink of this size fails at the
   * trailer.
   */
  private final int gzipTextWithoutTrailer;

  private final byte[] notGzip =
      "{\"legacy\":\"an uncompressed value\"}".getBytes(StandardCharsets.UTF_8);
  private final byte[] corrupt;
  private final byte[] truncated;

  private final LongAdder abandoned = new LongAdder();
  private final LongAdder unexpected = new LongAdder();
  private final Map<String, LongAdder> paths = new TreeMap<>();
  private final List<String> mixedPaths = new ArrayList<>();
  private volatile @Nullable Throwable firstUnexpected;

  private LeakWorkload(
      String mode, int threads, int poolSize, int maxOpenStreams, long reclaimWaitMillis) {
    this.mode = mode;
    this.threads = threads;
    this.config =
        GzipCodec.builder()
            .engine(GzipCodec.Engine.JDK)
            .poolSize(poolSize)
            .maxOpenDecompressingStreams(maxOpenStreams)
            .reclaimWait(Duration.ofMillis(reclaimWaitMillis));
    this.codec = config.build();
    this.gzipText = codec.compress(text);
    this.gzipTextWithoutTrailer = gzipText.length - GzipFormat.TRAILER_SIZE;
    this.corrupt = gzipText.clone();
    corrupt[gzipText.length - 6] ^= 0x55; // the CRC32 in the trailer
    this.truncated = Arrays.copyOf(gzipText, gzipText.length / 2);
    for (String path :
        List.of(
            "ok-bytes",
            "ok-stream-out",
            "ok-stream-in",
            "ok-stream-in-eof-no-close",
            "fail-mid-write",
            "fail-at-trailer",
            "finish-then-throw",
            "abandoned-after-write",
            "not-gzip-bytes",
            "not-gzip-stream",
            "corrupt-bytes",
            "truncated-stream")) {
      mixedPaths.add(path);
    }
    for (String path :
        mode.equals("mixed")
            ? mixedPaths
            : mode.equals("abandon")
                ? List.of(
                    "abandoned-after-write",
                    "abandoned-partial-read",
                    "stream-limit",
                    "finish-no-close",
                    "fail-mid-write")
                : mode.equals("naive-abandon")
                    ? List.of("abandoned-after-write", "abandoned-partial-read")
                    : List.<String>of()) {
      paths.put(path, new LongAdder());
    }
  }

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    int ops = Integer.parseInt(args[1]);
    int threads = Integer.parseInt(args[2]);
    int warmupOps = Integer.parseInt(args[3]);
    int poolSize = Integer.parseInt(args[4]);
    int maxOpenStreams =
        args.length > 5
            ? Integer.parseInt(args[5])
            : GzipCodec.DEFAULT_MAX_OPEN_DECOMPRESSING_STREAMS;
    long reclaimWaitMillis =
        args.length > 6 ? Long.parseLong(args[6]) : GzipCodec.DEFAULT_RECLAIM_WAIT.toMillis();
    if (!List.of("naive", "oomguard", "mixed", "abandon", "naive-abandon").contains(mode)) {
      throw new IllegalArgumentException(
          "mode must be naive, oomguard, mixed, abandon or naive-abandon, was " + mode);
    }
    LeakWorkload workload =
        new LeakWorkload(mode, threads, poolSize, maxOpenStreams, reclaimWaitMillis);
    ExecutorService executor = Executors.newFixedThreadPool(threads);
    try {
      workload.measure(executor, ops, warmupOps);
    } finally {
      executor.shutdownNow();
    }
  }

  private void measure(ExecutorService executor, int ops, int warmupOps) throws Exception {
    run(executor, warmupOps);
    if (EXPLICIT_GC) {
      awaitHandlesReturned();
      GcFinalization.awaitFullGc();
    } else {
      codec =
          config
              .build(); // the warm-up's dropped streams keep their slots in the old one; their RSS
      // is in the baseline
    }
    abandoned.reset();
    paths.values().forEach(LongAdder::reset);

    long rssBefore = rssKb();
    long heapBefore = heapUsedKb();
    long gcsBefore = gcCount();
    long start = System.nanoTime();
    run(executor, ops);
    long millis = (System.nanoTime() - start) / 1_000_000;
    long rssAfter = rssKb();
    long gcsDuring = gcCount() - gcsBefore;
    long heapGrowth = heapUsedKb() - heapBefore;
    int inUseAfterRun = codec.nativeHandlesInUse();
    long liveAfterRun = codec.nativeHandlesCreated() - codec.nativeHandlesEnded();

    boolean cleanedUp = EXPLICIT_GC && awaitHandlesReturned();
    long rssAfterCleanup = rssKb();

    print("mode", mode);
    print("explicitGc", EXPLICIT_GC ? 1 : 0);
    print("ops", ops);
    print("threads", threads);
    print("millis", millis);
    print("rssBaselineKb", rssBefore);
    print("rssGrowthKb", rssAfter - rssBefore);
    print("rssGrowthAfterCleanupKb", rssAfterCleanup - rssBefore);
    print("gcsDuringRun", gcsDuring);
    print("heapGrowthKb", heapGrowth);
    print("unexpected", unexpected.sum());
    print("abandoned", abandoned.sum());
    print("inUseAfterRun", inUseAfterRun);
    print("liveAfterRun", liveAfterRun);
    print("cleanedUp", cleanedUp ? 1 : 0);
    print("inUseAfterCleanup", codec.nativeHandlesInUse());
    print("idle", codec.nativeHandlesIdle());
    print("created", codec.nativeHandlesCreated());
    print("ended", codec.nativeHandlesEnded());
    print("poolSize", codec.poolSize());
    print("maxOpenStreams", codec.maxOpenDecompressingStreams());
    print("openStreamsHighWater", codec.streamCap().highWater());
    paths.forEach((path, count) -> print("path." + path, count.sum()));
    Throwable first = firstUnexpected;
    if (first != null) {
      first.printStackTrace(System.out);
    }
    System.out.flush();
  }

  /** Collects abandoned streams until their handles are back; false if that took too long. */
  private boolean awaitHandlesReturned() {
    try {
      GcFinalization.awaitDone(() -> codec.nativeHandlesInUse() == 0);
      return true;
    } catch (RuntimeException timedOut) {
      return false;
    }
  }

  private void run(ExecutorService executor, int ops) throws Exception {
    List<Callable<Void>> tasks = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int share = ops / threads + (t < ops % threads ? 1 : 0);
      tasks.add(
          () -> {
            Worker worker = new Worker();
            for (int i = 0; i < share; i++) {
              try {
                worker.op(i);
              } catch (Exception | AssertionError e) {
                unexpected.increment();
                if (firstUnexpected == null) {
                  firstUnexpected = e;
                }
              }
            }
            return null;
          });
    }
    for (Future<Void> done : executor.invokeAll(tasks)) {
      done.get();
    }
  }

  /** One thread's reusable sink and buffer, so that an operation makes almost no garbage. */
  private final class Worker {
    private final CountingSink sink = new CountingSink();
    private final byte[] buffer = new byte[8 * 1024];

    void op(int i) throws IOException {
      switch (mode) {
        case "naive":
          naiveIncident();
          break;
        case "oomguard":
          oomguardIncident();
          break;
        case "abandon":
          abandonOp(i % ABANDON_CYCLE);
          break;
        case "naive-abandon":
          naiveAbandonOp(i % 2);
          break;
        default:
          mixedOp(i % MIXED_CYCLE);
          break;
      }
    }

    /**
     * The incident: finish() writes the trailer but does not end the Deflater; close() never runs.
     */
    @SuppressWarnings("resource") // the point: it is never closed
    void naiveIncident() throws IOException {
      sink.reset(Long.MAX_VALUE);
      try {
        GZIPOutputStream out = new GZIPOutputStream(sink);
        out.write(text);
        out.finish();
        throw AFTER_FINISH;
      } catch (StacklessIOException expected) {
        // the service logs it and moves on, without closing the stream
      }
    }

    @SuppressWarnings("resource") // the point: it is never closed
    void oomguardIncident() throws IOException {
      sink.reset(Long.MAX_VALUE);
      try {
        CompressingOutputStream out = codec.compressingStream(sink);
        out.write(text);
        out.finish();
        throw AFTER_FINISH;
      } catch (StacklessIOException expected) {
        // as above
      }
    }

    /**
     * One of {@link #ABANDON_CYCLE} operations of callers that return early, none of which closes
     * its stream: two drop a compressing stream after a write, two drop a decompressing stream
     * after reading 100 bytes, one finishes without closing, one meets a failing sink inside
     * write(). A decompressing stream refused at the cap (only when the GC cannot reclaim the
     * dropped ones) counts as {@code stream-limit}.
     */
    @SuppressWarnings("resource") // the point: none is closed
    void abandonOp(int kind) throws IOException {
      switch (kind) {
        case 0:
        case 1:
          {
            OutputStream out = codec.compressingStream(sink);
            sink.reset(Long.MAX_VALUE);
            out.write(text);
            count("abandoned-after-write");
            break;
          }
        case 2:
        case 3:
          {
            InputStream in = codec.decompressingStream(new ByteArrayInputStream(gzipText));
            try {
              check(in.read(buffer, 0, 100) > 0, "partial read");
              abandoned.increment();
              count("abandoned-partial-read");
            } catch (OpenStreamLimitException refused) {
              count("stream-limit");
            }
            break;
          }
        case 4:
          {
            sink.reset(Long.MAX_VALUE);
            CompressingOutputStream out = codec.compressingStream(sink);
            out.write(text);
            out.finish();
            count("finish-no-close");
            break;
          }
        default:
          {
            sink.reset(100);
            OutputStream out = codec.compressingStream(sink);
            try {
              out.write(largeText);
              check(false, "the sink should have failed inside write()");
            } catch (SinkFailure expected) {
              count("fail-mid-write");
            }
            break;
          }
      }
    }

    /** The same drops with the JDK's streams: each keeps its Deflater or Inflater until a GC. */
    @SuppressWarnings("resource") // the point: none is closed
    void naiveAbandonOp(int kind) throws IOException {
      if (kind == 0) {
        sink.reset(Long.MAX_VALUE);
        OutputStream out = new GZIPOutputStream(sink);
        out.write(text);
        count("abandoned-after-write");
      } else {
        InputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipText));
        check(in.read(buffer, 0, 100) > 0, "partial read");
        count("abandoned-partial-read");
      }
    }

    /**
     * One of {@link #MIXED_CYCLE} operations, the second half of them failures: a sink that fails
     * inside write() or at the trailer, the incident's finish-then-throw without close, a
     * compressing stream dropped after a write, and input that is not gzip, is corrupt or is
     * truncated. None of the failing streams is closed.
     */
    @SuppressWarnings("resource") // the failure paths deliberately never close their streams
    void mixedOp(int kind) throws IOException {
      switch (kind) {
        case 0:
        case 1:
        case 2:
        case 3:
        case 4:
        case 5:
        case 6:
          { // byte arrays, round trip
            byte[] back = codec.decompress(codec.compress(text));
            check(back.length == text.length, "round trip");
            count("ok-bytes");
            break;
          }
        case 7:
        case 8:
        case 9:
        case 10:
          { // a compressing stream, closed
            sink.reset(Long.MAX_VALUE);
            try (OutputStream out = codec.compressingStream(sink)) {
              out.write(text);
            }
            check(sink.written == gzipText.length, "stream output size");
            count("ok-stream-out");
            break;
          }
        case 11:
        case 12:
        case 13:
          { // a decompressing stream, read to the end and closed
            try (InputStream in = codec.decompressingStream(new ByteArrayInputStream(gzipText))) {
              check(drain(in) == text.length, "stream input size");
            }
            count("ok-stream-in");
            break;
          }
        case 14:
        case 15:
          { // read to the end but never closed: the end of the input gives it back
            InputStream in = codec.decompressingStream(new ByteArrayInputStream(gzipText));
            check(drain(in) == text.length, "stream input size");
            count("ok-stream-in-eof-no-close");
            break;
          }
        case 16:
        case 17:
          { // the sink fails inside write(), after the header, as deflate data drains
            sink.reset(100);
            OutputStream out = codec.compressingStream(sink);
            try {
              out.write(largeText);
              check(false, "the sink should have failed inside write()");
            } catch (SinkFailure expected) {
              count("fail-mid-write");
            }
            break;
          }
        case 18:
        case 19:
          { // the sink takes the header and the deflate data, then fails at the trailer
            sink.reset(gzipTextWithoutTrailer);
            CompressingOutputStream out = codec.compressingStream(sink);
            out.write(text);
            try {
              out.finish(); // one write: header, deflate data and trailer, one byte too many for
              // the sink
              check(false, "the sink should have failed at the trailer");
            } catch (SinkFailure expected) {
              count("fail-at-trailer");
            }
            break;
          }
        case 20:
        case 21:
        case 22:
          { // the incident: finish(), the application fails, close() never runs
            oomguardIncident();
            count("finish-then-throw");
            break;
          }
        case 23:
          { // written to and dropped: it holds no native handle between calls
            OutputStream out = codec.compressingStream(sink);
            sink.reset(Long.MAX_VALUE);
            out.write(text);
            count("abandoned-after-write");
            break;
          }
        case 24:
        case 25:
          { // a legacy uncompressed value (JDK-8210471 leaks here with GZIPInputStream)
            try {
              codec.decompress(notGzip);
              check(false, "not gzip");
            } catch (MalformedGzipException expected) {
              count("not-gzip-bytes");
            }
            break;
          }
        case 26:
        case 27:
          { // the same through a stream, dropped without close()
            InputStream in = codec.decompressingStream(new ByteArrayInputStream(notGzip));
            try {
              in.read(buffer);
              check(false, "not gzip");
            } catch (MalformedGzipIOException expected) {
              count("not-gzip-stream");
            }
            break;
          }
        case 28:
        case 29:
          { // a bad CRC32
            try {
              codec.decompress(corrupt);
              check(false, "corrupt");
            } catch (MalformedGzipException expected) {
              count("corrupt-bytes");
            }
            break;
          }
        default:
          { // cut in half, read through a stream dropped without close()
            InputStream in = codec.decompressingStream(new ByteArrayInputStream(truncated));
            try {
              drain(in);
              check(false, "truncated");
            } catch (MalformedGzipIOException expected) {
              count("truncated-stream");
            }
            break;
          }
      }
    }

    private long drain(InputStream in) throws IOException {
      long total = 0;
      for (int n; (n = in.read(buffer)) >= 0; ) {
        total += n;
      }
      return total;
    }
  }

  private void count(String path) {
    LongAdder counter = paths.get(path);
    if (counter == null) {
      throw new IllegalArgumentException(path);
    }
    counter.increment();
  }

  private static void check(boolean condition, String what) {
    if (!condition) {
      throw new AssertionError(what);
    }
  }

  /** VmRSS of this process, in KiB. */
  static long rssKb() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IllegalStateException("no VmRSS in /proc/self/status");
  }

  private static long heapUsedKb() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1024;
  }

  private static long gcCount() {
    long count = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      count += Math.max(0, gc.getCollectionCount());
    }
    return count;
  }

  private static void print(String key, Object value) {
    System.out.println(key + "=" + value);
  }

  /** Text-like bytes that compress about as well as JSON values do. */
  static byte[] text(int size) {
    StringBuilder text = new StringBuilder(size);
    SplittableRandom random = new SplittableRandom(17);
    String[] words = {
      "memory", "native", "deflater", "heap", "zlib", "redis", "value", "pod", "close", "finish"
    };
    while (text.length() < size) {
      text.append(words[random.nextInt(words.length)])
          .append(random.nextInt(10) == 0 ? ".\n" : " ");
    }
    return text.substring(0, size).getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * Discards what it is given and counts it; fails once more than its allowance would be written.
   */
  private static final class CountingSink extends OutputStream {
    private long allowance;
    long written;

    void reset(long allowance) {
      this.allowance = allowance;
      this.written = 0;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (written + len > allowance) {
        throw new SinkFailure();
      }
      written += len;
    }
  }

  /** An exception without a stack trace: the workload's own exceptions must not fill the heap. */
  private static class StacklessIOException extends IOException {
    private static final long serialVersionUID = 1L;

    StacklessIOException(String message) {
      super(message);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  }

  /** What the sink throws: the network went away. */
  private static final class SinkFailure extends StacklessIOException {
    private static final long serialVersionUID = 1L;

    SinkFailure() {
      super("the sink failed");
    }
  }
}
