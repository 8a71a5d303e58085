package dev.oomguard.benchmarks;

import dev.oomguard.compression.GzipCodec;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.zip.DataFormatException;
import java.util.zip.GZIPInputStream;
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
 * Decompressing one gzip {@code byte[]} (a JSON-like value that {@code GZIPOutputStream} compressed
 * at level 6, the same bytes for both) back into a {@code byte[]}: {@code impl=jdk} is a careful
 * user's {@code new GZIPInputStream(new ByteArrayInputStream(gz)).readAllBytes()}, closed by
 * try-with-resources; {@code impl=oomguard} is (on the JDK's zlib; {@code oomguard-libdeflate} the
 * same on libdeflate) {@link GzipCodec#decompress(byte[])} on one codec shared by every call.
 * Single-threaded, so the codec's pool always has a warm inflater. {@code impl=zlib} is the floor
 * for any codec on the JDK's zlib, not a usable one: one raw {@code Inflater} reset per call, given
 * the deflate data without the gzip header and trailer, inflating into an array of the known size
 * at once, with no CRC check.
 *
 * <p>Run (allocation per call is {@code gc.alloc.rate.norm}): {@code java -jar
 * benchmarks/target/benchmarks.jar GzipDecompressBenchmark -prof gc}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(1)
public class GzipDecompressBenchmark {
  @Param({"jdk", "oomguard", "oomguard-libdeflate", "zlib"})
  String impl = "";

  @Param({"1024", "16384", "262144", "1048576"})
  int size;

  private byte[] gzip = new byte[0];

  /**
   * The deflate data inside {@link #gzip}: GZIPOutputStream writes a 10-byte header and an 8-byte
   * trailer.
   */
  private byte[] deflated = new byte[0];

  private @Nullable GzipCodec codec;
  private final int level = GzipCompressBenchmark.LEVEL;
  private final Inflater inflater = new Inflater(true);

  @Setup(Level.Trial)
  public void setUp() throws IOException, DataFormatException {
    if (impl.startsWith("oomguard")) {
      codec =
          GzipCodec.builder()
              .level(level)
              .engine(impl.equals("oomguard") ? GzipCodec.Engine.JDK : GzipCodec.Engine.LIBDEFLATE)
              .build();
    } else if (!impl.equals("jdk") && !impl.equals("zlib")) {
      throw new IllegalArgumentException(
          "impl must be jdk, oomguard, oomguard-libdeflate or zlib, was " + impl);
    }
    byte[] payload = Payloads.json(size, 42);
    gzip = GzipCompressBenchmark.jdk(payload);
    deflated = Arrays.copyOfRange(gzip, 10, gzip.length - 8);
    if (!Arrays.equals(decompress(), payload)) {
      throw new IllegalStateException(impl + " does not round-trip " + size + " bytes");
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (codec != null) {
      codec.close();
    }
    inflater.end();
  }

  @Benchmark
  public byte[] decompress() throws IOException, DataFormatException {
    return switch (impl) {
      case "oomguard", "oomguard-libdeflate" -> codec().decompress(gzip);
      case "zlib" -> zlib();
      default -> jdk(gzip);
    };
  }

  private byte[] zlib() throws DataFormatException {
    inflater.reset();
    inflater.setInput(deflated);
    byte[] out = new byte[size];
    int length = inflater.inflate(out);
    if (length != size) {
      throw new IllegalStateException("inflated " + length + " of " + size + " bytes");
    }
    return out;
  }

  /** Raw deflate data back to {@code size} bytes, for checking the compress benchmark's floor. */
  static byte[] inflateRaw(byte[] deflated, int size) throws DataFormatException {
    Inflater inflater = new Inflater(true);
    try {
      inflater.setInput(deflated);
      byte[] out = new byte[size];
      int length = inflater.inflate(out);
      return Arrays.copyOf(out, length);
    } finally {
      inflater.end();
    }
  }

  private GzipCodec codec() {
    GzipCodec built = codec;
    if (built == null) {
      throw new IllegalStateException("no codec for " + impl);
    }
    return built;
  }

  /** What a careful service writes without oomguard. */
  static byte[] jdk(byte[] gz) throws IOException {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
      return in.readAllBytes();
    }
  }
}
