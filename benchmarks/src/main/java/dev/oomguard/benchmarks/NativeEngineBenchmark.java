package dev.oomguard.benchmarks;

import dev.oomguard.compression.GzipCodec;
import dev.oomguard.compression.LibdeflateBenchmarkAccess;
import dev.oomguard.compression.LibdeflateBenchmarkAccess.Transfer;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The libdeflate engine against the JDK's zlib, one JSON-like value per call at level 6, compress
 * and decompress, in one run. {@code impl}:
 *
 * <ul>
 *   <li>{@code jdk}: a new {@code GZIPOutputStream} / {@code GZIPInputStream} per value, as in
 *       {@link GzipCompressBenchmark} and {@link GzipDecompressBenchmark};
 *   <li>{@code zlib}: one pooled raw {@code Deflater} / {@code Inflater}, reset per call, no gzip
 *       framing or CRC: the floor for any codec on the JDK's zlib;
 *   <li>{@code codec}: {@link GzipCodec} on the JDK's zlib ({@code engine(JDK)});
 *   <li>{@code codec-libdeflate}: {@link GzipCodec} on libdeflate ({@code engine(LIBDEFLATE)});
 *   <li>{@code libdeflate}: the engine's handles alone, framed as gzip with CRC32 and ISIZE as the
 *       codec does: compress into an exact-size array made by the shim (no critical region),
 *       decompress pinned up to 1 MiB and copied above;
 *   <li>{@code libdeflate-critical} / {@code libdeflate-copy}: the engine forced to pin the arrays,
 *       or to copy them through native memory, to measure what the copy costs.
 * </ul>
 *
 * The output sizes print once per trial ({@code # output:} lines).
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar NativeEngineBenchmark -prof gc}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(1)
public class NativeEngineBenchmark {
  static final int LEVEL = 6;

  @Param({
    "jdk",
    "zlib",
    "codec",
    "codec-libdeflate",
    "libdeflate",
    "libdeflate-critical",
    "libdeflate-copy"
  })
  String impl = "";

  @Param({"1024", "16384", "262144", "1048576"})
  int size;

  private byte[] payload = new byte[0];
  private byte[] gzip = new byte[0];
  private byte[] rawDeflate = new byte[0];
  private byte[] deflated = new byte[0];
  private final Deflater deflater = new Deflater(LEVEL, true);
  private final Inflater inflater = new Inflater(true);
  private final GzipCodec codec =
      GzipCodec.builder().level(LEVEL).engine(GzipCodec.Engine.JDK).build();
  private @Nullable GzipCodec codecOnLibdeflate;
  private @Nullable LibdeflateBenchmarkAccess engine;

  @Setup(Level.Trial)
  public void setUp() throws IOException, DataFormatException {
    payload = Payloads.json(size, 42);
    deflated = new byte[size + size / 8 + 1024];
    switch (impl) {
      case "jdk", "zlib", "codec" -> {}
      case "codec-libdeflate" ->
          codecOnLibdeflate =
              GzipCodec.builder().level(LEVEL).engine(GzipCodec.Engine.LIBDEFLATE).build();
      case "libdeflate", "libdeflate-critical", "libdeflate-copy" -> {
        if (!LibdeflateBenchmarkAccess.isAvailable()) {
          throw new IllegalStateException(
              "the libdeflate engine is unavailable: "
                  + LibdeflateBenchmarkAccess.unavailableReason());
        }
        Transfer transfer =
            impl.equals("libdeflate")
                ? Transfer.AUTO
                : impl.equals("libdeflate-critical") ? Transfer.CRITICAL : Transfer.COPY;
        engine = new LibdeflateBenchmarkAccess(LEVEL, transfer);
      }
      default ->
          throw new IllegalArgumentException(
              "impl must be jdk, zlib, codec, codec-libdeflate, libdeflate, "
                  + "libdeflate-critical or libdeflate-copy, was "
                  + impl);
    }
    // Every decompressor reads the same stream: the JDK's gzip at level 6 (raw: its deflate part).
    gzip = GzipCompressBenchmark.jdk(payload);
    rawDeflate = Arrays.copyOfRange(gzip, 10, gzip.length - 8);
    byte[] compressed = compress();
    byte[] back =
        impl.equals("zlib")
            ? GzipDecompressBenchmark.inflateRaw(compressed, size)
            : jdkGunzip(compressed);
    if (!Arrays.equals(back, payload) || !Arrays.equals(decompress(), payload)) {
      throw new IllegalStateException(impl + " does not round-trip " + size + " bytes");
    }
    System.out.println(
        "# output: impl="
            + impl
            + " size="
            + size
            + " compressed="
            + compressed.length
            + (impl.equals("zlib") ? " (raw deflate, no gzip framing)" : ""));
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    codec.close();
    if (codecOnLibdeflate != null) {
      codecOnLibdeflate.close();
    }
    deflater.end();
    inflater.end();
    if (engine != null) {
      engine.close();
    }
  }

  @Benchmark
  public byte[] compress() throws IOException {
    return switch (impl) {
      case "jdk" -> GzipCompressBenchmark.jdk(payload);
      case "zlib" -> zlibCompress();
      case "codec" -> codec.compress(payload);
      case "codec-libdeflate" -> codecOnLibdeflate().compress(payload);
      default -> engine().gzip(payload);
    };
  }

  @Benchmark
  public byte[] decompress() throws IOException, DataFormatException {
    return switch (impl) {
      case "jdk" -> jdkGunzip(gzip);
      case "zlib" -> zlibDecompress();
      case "codec" -> codec.decompress(gzip);
      case "codec-libdeflate" -> codecOnLibdeflate().decompress(gzip);
      default -> engine().gunzip(gzip);
    };
  }

  private GzipCodec codecOnLibdeflate() {
    GzipCodec built = codecOnLibdeflate;
    if (built == null) {
      throw new IllegalStateException("no libdeflate codec for " + impl);
    }
    return built;
  }

  private LibdeflateBenchmarkAccess engine() {
    LibdeflateBenchmarkAccess access = engine;
    if (access == null) {
      throw new IllegalStateException("no engine for " + impl);
    }
    return access;
  }

  private byte[] zlibCompress() {
    deflater.reset();
    deflater.setInput(payload);
    deflater.finish();
    int length = 0;
    while (!deflater.finished()) {
      length += deflater.deflate(deflated, length, deflated.length - length);
    }
    return Arrays.copyOf(deflated, length);
  }

  private byte[] zlibDecompress() throws DataFormatException {
    inflater.reset();
    inflater.setInput(rawDeflate);
    byte[] out = new byte[size];
    int length = 0;
    while (!inflater.finished()) {
      length += inflater.inflate(out, length, out.length - length);
    }
    return out;
  }

  private static byte[] jdkGunzip(byte[] gzip) throws IOException {
    return GzipDecompressBenchmark.jdk(gzip);
  }
}
