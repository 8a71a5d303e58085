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
import java.util.zip.GZIPOutputStream;
import org.jspecify.annotations.Nullable;

/**
 * The workloads that {@link GzipLeakTest} measures in a forked JVM. The test starts that JVM with a
 * pre-touched heap whose young generation holds all the garbage of a run, so no GC runs while the
 * loop is measured: the incident's condition (the GC sees a few tiny Java objects and has no reason
 * to run) and the reason the growth of VmRSS is native memory, not heap.
 *
 * <p>{@code LeakWorkload MODE OPS THREADS WARMUP_OPS POOL_SIZE} runs WARMUP_OPS operations (so
 * that classes are loaded and code compiled), collects the garbage, takes VmRSS as the baseline,
 * runs OPS operations split over THREADS threads, and prints what it measured as {@code key=value}
 * lines. MODE is one of:
 * <ul>
 *   <li>{@code naive}: the incident, with the JDK: {@code new GZIPOutputStream(sink)}, write,
 *       {@code finish()}, then an exception and no {@code close()};
 *   <li>{@code oomguard}: the same loop with {@link GzipCodec#compressingStream};
 *   <li>{@code mixed}: every path of the codec, half of them failures (see {@link Worker#mixedOp}).
 * </ul>
 */
final class LeakWorkload {
  /** Ops per cycle of the mixed workload: half succeed, half fail; see {@link Worker#mixedOp}. */
  static final int MIXED_CYCLE = 32;

  /** The application's own failure after {@code finish()}: shared and stackless, so it costs no heap. */
  private static final IOException AFTER_FINISH = new StacklessIOException("the application failed after finish()");

  private final String mode;
  private final GzipCodec codec;
  private final int threads;
  private final byte[] text = text(4 * 1024);
  private final byte[] gzipText;
  private final byte[] incompressible = new byte[32 * 1024];
  /** The compressed text up to (not including) its trailer: a sink of this size fails at the trailer. */
  private final int gzipTextWithoutTrailer;
  private final byte[] notGzip = "{\"legacy\":\"an uncompressed value\"}".getBytes(StandardCharsets.UTF_8);
  private final byte[] corrupt;
  private final byte[] truncated;

  private final LongAdder abandoned = new LongAdder();
  private final LongAdder unexpected = new LongAdder();
  private final Map<String, LongAdder> paths = new TreeMap<>();
  private volatile @Nullable Throwable firstUnexpected;

  private LeakWorkload(String mode, int threads, int poolSize) {
    this.mode = mode;
    this.threads = threads;
    this.codec = GzipCodec.builder().poolSize(poolSize).build();
    new SplittableRandom(1952).nextBytes(incompressible);
    this.gzipText = codec.compress(text);
    this.gzipTextWithoutTrailer = gzipText.length - GzipFormat.TRAILER_SIZE;
    this.corrupt = gzipText.clone();
    corrupt[gzipText.length - 6] ^= 0x55; // the CRC32 in the trailer
    this.truncated = Arrays.copyOf(gzipText, gzipText.length / 2);
    for (String path : List.of("ok-bytes", "ok-stream-out", "ok-stream-in", "ok-stream-in-eof-no-close",
        "fail-mid-write", "fail-at-trailer", "finish-then-throw", "abandoned-partial-read",
        "not-gzip-bytes", "not-gzip-stream", "corrupt-bytes", "truncated-stream")) {
      paths.put(path, new LongAdder());
    }
  }

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    int ops = Integer.parseInt(args[1]);
    int threads = Integer.parseInt(args[2]);
    int warmupOps = Integer.parseInt(args[3]);
    int poolSize = Integer.parseInt(args[4]);
    if (!List.of("naive", "oomguard", "mixed").contains(mode)) {
      throw new IllegalArgumentException("mode must be naive, oomguard or mixed, was " + mode);
    }
    LeakWorkload workload = new LeakWorkload(mode, threads, poolSize);
    ExecutorService executor = Executors.newFixedThreadPool(threads);
    try {
      workload.measure(executor, ops, warmupOps);
    } finally {
      executor.shutdownNow();
    }
  }

  private void measure(ExecutorService executor, int ops, int warmupOps) throws Exception {
    run(executor, warmupOps);
    awaitHandlesReturned();
    GcFinalization.awaitFullGc();
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

    boolean cleanedUp = awaitHandlesReturned();
    long rssAfterCleanup = rssKb();

    print("mode", mode);
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
    print("cleanedUp", cleanedUp ? 1 : 0);
    print("inUseAfterCleanup", codec.nativeHandlesInUse());
    print("idle", codec.nativeHandlesIdle());
    print("created", codec.nativeHandlesCreated());
    print("ended", codec.nativeHandlesEnded());
    print("poolSize", codec.poolSize());
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
      tasks.add(() -> {
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
        default:
          mixedOp(i % MIXED_CYCLE);
          break;
      }
    }

    /** The incident: finish() writes the trailer but does not end the Deflater; close() never runs. */
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
     * One of {@link #MIXED_CYCLE} operations, the second half of them failures: a sink that fails
     * inside write() or at the trailer, the incident's finish-then-throw without close, a stream
     * abandoned after a partial read, and input that is not gzip, is corrupt or is truncated. None
     * of the failing streams is closed.
     */
    @SuppressWarnings("resource") // the failure paths deliberately never close their streams
    void mixedOp(int kind) throws IOException {
      switch (kind) {
        case 0: case 1: case 2: case 3: case 4: case 5: case 6: { // byte arrays, round trip
          byte[] back = codec.decompress(codec.compress(text));
          check(back.length == text.length, "round trip");
          count("ok-bytes");
          break;
        }
        case 7: case 8: case 9: case 10: { // a compressing stream, closed
          sink.reset(Long.MAX_VALUE);
          try (OutputStream out = codec.compressingStream(sink)) {
            out.write(text);
          }
          check(sink.written == gzipText.length, "stream output size");
          count("ok-stream-out");
          break;
        }
        case 11: case 12: case 13: { // a decompressing stream, read to the end and closed
          try (InputStream in = codec.decompressingStream(new ByteArrayInputStream(gzipText))) {
            check(drain(in) == text.length, "stream input size");
          }
          count("ok-stream-in");
          break;
        }
        case 14: case 15: { // read to the end but never closed: the end of the input gives it back
          InputStream in = codec.decompressingStream(new ByteArrayInputStream(gzipText));
          check(drain(in) == text.length, "stream input size");
          count("ok-stream-in-eof-no-close");
          break;
        }
        case 16: case 17: { // the sink fails inside write(), after the header, as deflate data drains
          sink.reset(100);
          OutputStream out = codec.compressingStream(sink);
          try {
            out.write(incompressible);
            check(false, "the sink should have failed inside write()");
          } catch (SinkFailure expected) {
            count("fail-mid-write");
          }
          break;
        }
        case 18: case 19: { // the sink takes the header and the deflate data, then fails at the trailer
          sink.reset(gzipTextWithoutTrailer);
          CompressingOutputStream out = codec.compressingStream(sink);
          out.write(text);
          try {
            out.finish();
            check(false, "the sink should have failed at the trailer");
          } catch (SinkFailure expected) {
            check(sink.written == gzipTextWithoutTrailer, "failed at the trailer, not before");
            count("fail-at-trailer");
          }
          break;
        }
        case 20: case 21: case 22: { // the incident: finish(), the application fails, close() never runs
          oomguardIncident();
          count("finish-then-throw");
          break;
        }
        case 23: { // abandoned after a partial read: only the GC can give its handle back
          InputStream in = codec.decompressingStream(new ByteArrayInputStream(gzipText));
          check(in.read(buffer, 0, 100) > 0, "partial read");
          abandoned.increment();
          count("abandoned-partial-read");
          break;
        }
        case 24: case 25: { // a legacy uncompressed value (JDK-8210471 leaks here with GZIPInputStream)
          try {
            codec.decompress(notGzip);
            check(false, "not gzip");
          } catch (MalformedGzipException expected) {
            count("not-gzip-bytes");
          }
          break;
        }
        case 26: case 27: { // the same through a stream, dropped without close()
          InputStream in = codec.decompressingStream(new ByteArrayInputStream(notGzip));
          try {
            in.read(buffer);
            check(false, "not gzip");
          } catch (MalformedGzipIOException expected) {
            count("not-gzip-stream");
          }
          break;
        }
        case 28: case 29: { // a bad CRC32
          try {
            codec.decompress(corrupt);
            check(false, "corrupt");
          } catch (MalformedGzipException expected) {
            count("corrupt-bytes");
          }
          break;
        }
        default: { // cut in half, read through a stream dropped without close()
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
    String[] words = {"memory", "native", "deflater", "heap", "zlib", "redis", "value", "pod", "close", "finish"};
    while (text.length() < size) {
      text.append(words[random.nextInt(words.length)]).append(random.nextInt(10) == 0 ? ".\n" : " ");
    }
    return text.substring(0, size).getBytes(StandardCharsets.US_ASCII);
  }

  /** Discards what it is given and counts it; fails once more than its allowance would be written. */
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
