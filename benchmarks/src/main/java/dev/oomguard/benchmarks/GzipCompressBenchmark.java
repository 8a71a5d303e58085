package dev.oomguard.benchmarks;

import dev.oomguard.compression.GzipCodec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
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
 * Compressing one JSON-like value into a gzip {@code byte[]} at level 6: {@code impl=jdk} is a
 * careful user's code, a new {@code GZIPOutputStream} per value (the JDK's default level is 6) into
 * a {@code ByteArrayOutputStream} presized for 4:1, closed by try-with-resources, then {@code
 * toByteArray()}; {@code impl=oomguard} is (on the JDK's zlib; {@code oomguard-libdeflate} the same
 * on libdeflate) {@link GzipCodec#compress(byte[])} on one codec shared by every call, as an
 * application holds it. Single-threaded, so the codec's pool always has a warm deflater to lend.
 * {@code impl=zlib} is the floor for any codec on the JDK's zlib, not a usable one: one raw {@code
 * Deflater} reset per call, no gzip header, trailer or CRC, into a buffer that always has room,
 * then copied out.
 *
 * <p>Run (allocation per call is {@code gc.alloc.rate.norm}): {@code java -jar
 * benchmarks/target/benchmarks.jar GzipCompressBenchmark -prof gc}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(1)
public class GzipCompressBenchmark {
  static final int LEVEL = 6;

  @Param({"jdk", "oomguard", "oomguard-libdeflate", "zlib"})
  String impl = "";

  @Param({"1024", "16384", "262144", "1048576"})
  int size;

  private byte[] payload = new byte[0];
  private @Nullable GzipCodec codec;
  private final int level = LEVEL;
  private final Deflater deflater = new Deflater(LEVEL, true);
  private byte[] deflated = new byte[0];

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
    payload = Payloads.json(size, 42);
    deflated = new byte[size + size / 8 + 1024];
    byte[] back;
    if (impl.equals("zlib")) {
      back = GzipDecompressBenchmark.inflateRaw(compress(), size);
    } else {
      try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(compress()))) {
        back = in.readAllBytes();
      }
    }
    if (!Arrays.equals(back, payload)) {
      throw new IllegalStateException(impl + " does not round-trip " + size + " bytes");
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (codec != null) {
      codec.close();
    }
    deflater.end();
  }

  @Benchmark
  public byte[] compress() throws IOException {
    return switch (impl) {
      case "oomguard", "oomguard-libdeflate" -> codec().compress(payload);
      case "zlib" -> zlib(payload);
      default -> jdk(payload);
    };
  }

  private byte[] zlib(byte[] value) {
    deflater.reset();
    deflater.setInput(value);
    deflater.finish();
    int length = 0;
    while (!deflater.finished()) {
      length += deflater.deflate(deflated, length, deflated.length - length);
    }
    return Arrays.copyOf(deflated, length);
  }

  private GzipCodec codec() {
    GzipCodec built = codec;
    if (built == null) {
      throw new IllegalStateException("no codec for " + impl);
    }
    return built;
  }

  /** What a careful service writes without oomguard. */
  static byte[] jdk(byte[] value) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(value.length / 4 + 64);
    try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
      gzip.write(value);
    }
    return out.toByteArray();
  }
}
