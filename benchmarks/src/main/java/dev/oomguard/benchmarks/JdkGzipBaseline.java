package dev.oomguard.benchmarks;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The peer that compression benchmarks are measured against: a new {@code GZIPOutputStream} per
 * value, closed by try-with-resources, as a careful service writes it.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar JdkGzipBaseline -prof gc}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class JdkGzipBaseline {
  @Param({"1024", "16384"})
  int size;

  private byte[] payload = new byte[0];

  @Setup
  public void setUp() {
    payload = Payloads.json(size, 42);
  }

  @Benchmark
  public byte[] compress() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(size / 4 + 64);
    try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
      gzip.write(payload);
    }
    return out.toByteArray();
  }
}
