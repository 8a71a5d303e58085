package dev.oomguard.benchmarks;

import dev.oomguard.compression.GzipCodec;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
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
 * Decompressing one gzip {@code byte[]} (a JSON-like value that {@code GZIPOutputStream}
 * compressed at level 6, the same bytes for both) back into a {@code byte[]}: {@code impl=jdk} is
 * a careful user's {@code new GZIPInputStream(new ByteArrayInputStream(gz)).readAllBytes()},
 * closed by try-with-resources; {@code impl=oomguard} is {@link GzipCodec#decompress(byte[])} on
 * one codec shared by every call. Single-threaded, so the codec's pool always has a warm inflater.
 *
 * <p>Run (allocation per call is {@code gc.alloc.rate.norm}):
 * {@code java -jar benchmarks/target/benchmarks.jar GzipDecompressBenchmark -prof gc}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(1)
public class GzipDecompressBenchmark {
  @Param({"jdk", "oomguard"})
  String impl = "";

  @Param({"1024", "16384", "262144", "1048576"})
  int size;

  private byte[] gzip = new byte[0];
  private boolean oomguard;
  private final GzipCodec codec = GzipCodec.builder().level(GzipCompressBenchmark.LEVEL).build();

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    if (!impl.equals("jdk") && !impl.equals("oomguard")) {
      throw new IllegalArgumentException("impl must be jdk or oomguard, was " + impl);
    }
    oomguard = impl.equals("oomguard");
    byte[] payload = Payloads.json(size, 42);
    gzip = GzipCompressBenchmark.jdk(payload);
    if (!Arrays.equals(decompress(), payload)) {
      throw new IllegalStateException(impl + " does not round-trip " + size + " bytes");
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    codec.close();
  }

  @Benchmark
  public byte[] decompress() throws IOException {
    return oomguard ? codec.decompress(gzip) : jdk(gzip);
  }

  /** What a careful service writes without oomguard. */
  static byte[] jdk(byte[] gz) throws IOException {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
      return in.readAllBytes();
    }
  }
}
