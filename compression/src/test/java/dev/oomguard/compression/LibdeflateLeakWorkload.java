package dev.oomguard.compression;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * Run in a forked JVM by {@link LibdeflateLeakTest}: byte-array operations on the libdeflate engine
 * on several threads, half of them on error paths, and the RSS and live native handles before and
 * after, as {@code key=value} lines.
 *
 * <p>Modes: {@code create-use-free} makes a handle for every operation and frees it; {@code pooled}
 * borrows from a small bounded pool, as the codec will; {@code leak} (the control) makes a
 * compressor per operation and never frees it, to show that the measurement sees a leak; {@code
 * codec} runs the same mix through a {@link GzipCodec} on libdeflate (pool size = threads), its
 * failures being malformed input, zlib's second opinion on it, and the limit.
 */
final class LibdeflateLeakWorkload {
  /** Operations per cycle: the first half succeed, the second half fail; see {@link Worker#op}. */
  static final int CYCLE = 8;

  private final String mode;
  private final int threads;
  private final byte[] text = LeakWorkload.text(4 * 1024);
  private final byte[] deflated;
  private final byte[] large =
      LibdeflateEngineTest.json(LibdeflateDecompressor.CRITICAL_MAX_BYTES + 100_000);
  private final byte[] largeDeflated;
  private final byte[] junk = new byte[512];
  private final byte[] bomb = LibdeflateEngineTest.jdkDeflate(new byte[4 * 1024 * 1024], 9);
  private final ArrayBlockingQueue<LibdeflateCompressor> compressors;
  private final ArrayBlockingQueue<LibdeflateDecompressor> decompressors;
  private final LongAdder failures = new LongAdder();
  private final LongAdder unexpected = new LongAdder();
  private final List<LibdeflateCompressor> leaked = new ArrayList<>();
  private final GzipCodec codec;
  private final byte[] gzip;
  private final byte[] largeGzip;
  private volatile @Nullable Throwable firstUnexpected;

  private LibdeflateLeakWorkload(String mode, int threads, int poolSize) {
    this.mode = mode;
    this.threads = threads;
    this.deflated = LibdeflateEngineTest.jdkDeflate(text, 6);
    this.largeDeflated = LibdeflateEngineTest.jdkDeflate(large, 6);
    new java.util.SplittableRandom(1951).nextBytes(junk);
    junk[0] = (byte) 0xff; // an invalid block type in the first byte: always bad data
    this.compressors = new ArrayBlockingQueue<>(poolSize);
    this.decompressors = new ArrayBlockingQueue<>(poolSize);
    this.codec =
        GzipCodec.builder()
            .engine(GzipCodec.Engine.LIBDEFLATE)
            .poolSize(poolSize)
            .maxDecompressedBytes(2L * large.length)
            .build();
    this.gzip = codec.compress(text);
    this.largeGzip = codec.compress(large);
  }

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    int ops = Integer.parseInt(args[1]);
    int threads = Integer.parseInt(args[2]);
    int warmupOps = Integer.parseInt(args[3]);
    if (!List.of("create-use-free", "pooled", "leak", "codec").contains(mode)) {
      throw new IllegalArgumentException(
          "mode must be create-use-free, pooled, leak or codec, was " + mode);
    }
    Libdeflate.requireAvailable();
    LibdeflateLeakWorkload workload = new LibdeflateLeakWorkload(mode, threads, threads);
    ExecutorService executor = Executors.newFixedThreadPool(threads);
    try {
      workload.measure(executor, ops, warmupOps);
    } finally {
      executor.shutdownNow();
    }
  }

  private void measure(ExecutorService executor, int ops, int warmupOps) throws Exception {
    run(executor, warmupOps);
    failures.reset();
    long handlesBefore = Libdeflate.liveHandles();
    long rssBefore = LeakWorkload.rssKb();
    long gcsBefore = gcCount();
    long start = System.nanoTime();
    run(executor, ops);
    long millis = (System.nanoTime() - start) / 1_000_000;
    long rssAfter = LeakWorkload.rssKb();
    print("mode", mode);
    print("ops", ops);
    print("threads", threads);
    print("millis", millis);
    print("rssBaselineKb", rssBefore);
    print("rssGrowthKb", rssAfter - rssBefore);
    print("gcsDuringRun", gcCount() - gcsBefore);
    print("failures", failures.sum());
    print("unexpected", unexpected.sum());
    print("liveHandlesBefore", handlesBefore);
    print("liveHandlesGrowth", Libdeflate.liveHandles() - handlesBefore);
    compressors.forEach(LibdeflateCompressor::close);
    decompressors.forEach(LibdeflateDecompressor::close);
    print("codecHandlesInUse", codec.nativeHandlesInUse());
    codec.close();
    print("liveHandlesAfterClose", Libdeflate.liveHandles() - leaked.size());
    Throwable first = firstUnexpected;
    if (first != null) {
      first.printStackTrace(System.out);
    }
    System.out.flush();
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

  private final class Worker {
    private final byte[] out = new byte[8 * 1024];
    private final byte[] largeOut = new byte[large.length];

    void op(int i) {
      if (mode.equals("leak")) {
        LibdeflateCompressor compressor = new LibdeflateCompressor(6);
        check(compressor.compress(text, 0, text.length, out, 0, out.length) > 0, "compress");
        synchronized (leaked) {
          leaked.add(compressor); // kept reachable and never closed: the leak
        }
        return;
      }
      int kind = i % CYCLE;
      if (mode.equals("codec")) {
        codecOp(kind, i);
        return;
      }
      if (kind < 3 || kind == 4) {
        LibdeflateCompressor compressor = compressor();
        try {
          compressOp(compressor, kind);
        } finally {
          release(compressor);
        }
      } else {
        LibdeflateDecompressor decompressor = decompressor();
        try {
          decompressOp(decompressor, kind, i);
        } finally {
          release(decompressor);
        }
      }
    }

    private void codecOp(int kind, int i) {
      switch (kind) {
        case 0:
          check(codec.compress(text).length > 18, "compress");
          break;
        case 1:
          check(codec.decompress(gzip).length == text.length, "decompress");
          break;
        case 2:
          check(
              codec.decompress(i % 64 == 2 ? largeGzip : codec.compress(text, 0, 100)).length > 0,
              "round trip");
          break;
        case 3:
          check(
              codec.compress(text, 0, 0).length > GzipFormat.HEADER_SIZE + GzipFormat.TRAILER_SIZE,
              "compress nothing");
          break;
        case 4: // failure: junk behind a gzip header with a plausible ISIZE: libdeflate, then zlib,
          // judge it
          expectFailure(
              MalformedGzipException.class, () -> codec.decompress(withHeader(junk, 1_000)));
          break;
        case 5: // failure: cut short
          expectFailure(
              MalformedGzipException.class,
              () -> codec.decompress(Arrays.copyOf(gzip, gzip.length - 5)));
          break;
        case 6: // failure: a bomb against the limit (an implausible ISIZE: zlib sizes it)
          expectFailure(
              DecompressionLimitException.class, () -> codec.decompress(withHeader(bomb, 0)));
          break;
        default: // failure: a wrong CRC32
          byte[] bad = gzip.clone();
          bad[bad.length - 8] ^= 1;
          expectFailure(MalformedGzipException.class, () -> codec.decompress(bad));
          break;
      }
    }

    private void expectFailure(Class<? extends CompressionException> type, Runnable call) {
      try {
        call.run();
        check(false, type.getSimpleName() + " expected");
      } catch (CompressionException e) {
        check(type.isInstance(e), "expected " + type.getSimpleName() + ", got " + e);
      }
      failures.increment();
    }

    private void compressOp(LibdeflateCompressor compressor, int kind) {
      switch (kind) {
        case 0: // into an exact-size array with room for gzip framing
          check(compressor.compress(text, 0, text.length, 10, 8).length > 18, "compress to array");
          break;
        case 1:
          { // into a caller's buffer
            check(compressor.compress(text, 0, text.length, out, 0, out.length) > 0, "compress");
            break;
          }
        case 2: // an empty input
          check(compressor.compress(text, 0, 0, out, 0, out.length) > 0, "compress nothing");
          break;
        default: // failure: the output does not fit
          check(
              compressor.compress(text, 0, text.length, out, 0, 20) == Libdeflate.OUTPUT_FULL,
              "output full");
          failures.increment();
          break;
      }
    }

    private void decompressOp(LibdeflateDecompressor decompressor, int kind, int i) {
      switch (kind) {
        case 3: // in a critical region, or through native memory for a large output now and then
          if (i % 64 == 3) {
            check(
                decompressor.decompress(
                        largeDeflated, 0, largeDeflated.length, largeOut, 0, largeOut.length)
                    == large.length,
                "large decompress");
          } else {
            check(
                decompressor.decompress(deflated, 0, deflated.length, out, 0, out.length)
                    == text.length,
                "decompress");
          }
          break;
        case 5: // failure: junk
          check(
              decompressor.decompress(junk, 0, junk.length, out, 0, out.length)
                  == Libdeflate.BAD_DATA,
              "junk");
          failures.increment();
          break;
        case 6: // failure: a bomb against its bound, alternately pinned and copied
          int bound = i % 16 < 8 ? out.length : LibdeflateDecompressor.CRITICAL_MAX_BYTES + 1;
          byte[] target = bound == out.length ? out : largeOut;
          check(
              decompressor.decompress(bomb, 0, bomb.length, target, 0, bound)
                  == Libdeflate.OUTPUT_FULL,
              "bomb");
          failures.increment();
          break;
        default: // failure: cut short, or an offset outside the array
          if (i % 16 < 8) {
            check(
                decompressor.decompress(deflated, 0, deflated.length / 2, out, 0, out.length)
                    == Libdeflate.BAD_DATA,
                "truncated");
          } else {
            try {
              decompressor.decompress(deflated, 1, deflated.length, out, 0, out.length);
              check(false, "bad offset accepted");
            } catch (IndexOutOfBoundsException expected) {
              // as it must
            }
          }
          failures.increment();
          break;
      }
    }

    private LibdeflateCompressor compressor() {
      if (mode.equals("pooled")) {
        LibdeflateCompressor pooled = compressors.poll();
        if (pooled != null) {
          return pooled;
        }
      }
      return new LibdeflateCompressor(6);
    }

    private LibdeflateDecompressor decompressor() {
      if (mode.equals("pooled")) {
        LibdeflateDecompressor pooled = decompressors.poll();
        if (pooled != null) {
          return pooled;
        }
      }
      return new LibdeflateDecompressor();
    }

    private void release(LibdeflateCompressor compressor) {
      if (!mode.equals("pooled") || !compressors.offer(compressor)) {
        compressor.close();
      }
    }

    private void release(LibdeflateDecompressor decompressor) {
      if (!mode.equals("pooled") || !decompressors.offer(decompressor)) {
        decompressor.close();
      }
    }
  }

  /** {@code deflate} framed as a gzip member, its trailer a zero CRC and {@code isize}. */
  private static byte[] withHeader(byte[] deflate, long isize) {
    byte[] member = new byte[GzipFormat.HEADER_SIZE + deflate.length + GzipFormat.TRAILER_SIZE];
    GzipFormat.writeHeader(member, 0, 6);
    System.arraycopy(deflate, 0, member, GzipFormat.HEADER_SIZE, deflate.length);
    GzipFormat.writeTrailer(member, member.length - GzipFormat.TRAILER_SIZE, 0, isize);
    return member;
  }

  private static void check(boolean condition, String what) {
    if (!condition) {
      throw new AssertionError(what);
    }
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
}
