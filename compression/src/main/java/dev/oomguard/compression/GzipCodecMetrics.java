package dev.oomguard.compression;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;

/**
 * Micrometer meters for a {@link GzipCodec}: operations and bytes by direction, the compression
 * ratio, errors by kind, and the native handles it holds. Micrometer is needed only by this class.
 *
 * <pre>{@code
 * new GzipCodecMetrics(codec, Tags.of("codec", "redis")).bindTo(registry);
 * }</pre>
 *
 * <p>Every meter carries {@code engine} ({@code libdeflate} or {@code jdk}): the engine of the
 * byte-array calls, fixed when the codec is built, so it adds no series; it shows which hosts fell
 * back to the JDK (a failed native load) and splits throughput by engine. Streams always run on the
 * JDK's zlib whatever the tag says.
 *
 * <p>{@code gzip.native.handles{state=in.use}} climbing and staying up while traffic is flat is the
 * signature of the leak this codec exists to prevent; here it comes back down.
 */
public final class GzipCodecMetrics implements MeterBinder {
  private final GzipCodec codec;
  private final Tags tags;

  public GzipCodecMetrics(GzipCodec codec) {
    this(codec, Tags.empty());
  }

  public GzipCodecMetrics(GzipCodec codec, Iterable<Tag> tags) {
    this.codec = codec;
    this.tags = Tags.of(tags).and("engine", codec.engine().name().toLowerCase(Locale.ROOT));
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    bindDirection(registry, "compress", codec.stats.compress);
    bindDirection(registry, "decompress", codec.stats.decompress);

    CodecStats.Direction compress = codec.stats.compress;
    Gauge.builder("gzip.compression.ratio", compress, GzipCodecMetrics::ratio)
        .description("Uncompressed bytes per compressed byte, over all compressions so far")
        .tags(tags)
        .register(registry);

    bindCounter(
        registry,
        "gzip.errors",
        "malformed",
        codec.stats.malformed,
        "Decompressions of input that is not valid gzip");
    bindCounter(
        registry,
        "gzip.errors",
        "limit",
        codec.stats.limitExceeded,
        "Decompressions stopped at the size limit");
    bindCounter(
        registry,
        "gzip.errors",
        "stream.limit",
        codec.stats.streamLimit,
        "Decompressing streams refused at maxOpenDecompressingStreams");
    bindCounter(
        registry,
        "gzip.errors",
        "io",
        codec.stats.ioErrors,
        "Stream operations failed by the sink's or source's own I/O");

    Gauge.builder("gzip.native.handles", codec, GzipCodec::nativeHandlesInUse)
        .description(
            "Native handles (deflaters, inflaters, libdeflate compressors and decompressors), lent out or idle in the pool")
        .tags(tags)
        .tag("state", "in.use")
        .baseUnit("handles")
        .register(registry);
    Gauge.builder("gzip.native.handles", codec, GzipCodec::nativeHandlesIdle)
        .description(
            "Native handles (deflaters, inflaters, libdeflate compressors and decompressors), lent out or idle in the pool")
        .tags(tags)
        .tag("state", "idle")
        .baseUnit("handles")
        .register(registry);
    FunctionCounter.builder("gzip.native.handles.created", codec, GzipCodec::nativeHandlesCreated)
        .description("Native handles created; each holds native memory until ended")
        .tags(tags)
        .baseUnit("handles")
        .register(registry);
    FunctionCounter.builder("gzip.native.handles.ended", codec, GzipCodec::nativeHandlesEnded)
        .description("Native handles ended, their native memory freed")
        .tags(tags)
        .baseUnit("handles")
        .register(registry);
  }

  private void bindDirection(
      MeterRegistry registry, String operation, CodecStats.Direction direction) {
    FunctionCounter.builder("gzip.operations", direction.operations, LongAdder::doubleValue)
        .description("Completed compressions or decompressions")
        .tags(tags)
        .tag("operation", operation)
        .baseUnit("operations")
        .register(registry);
    FunctionCounter.builder("gzip.bytes.in", direction.bytesIn, LongAdder::doubleValue)
        .description("Bytes taken in by completed operations")
        .tags(tags)
        .tag("operation", operation)
        .baseUnit(BaseUnits.BYTES)
        .register(registry);
    FunctionCounter.builder("gzip.bytes.out", direction.bytesOut, LongAdder::doubleValue)
        .description("Bytes produced by completed operations")
        .tags(tags)
        .tag("operation", operation)
        .baseUnit(BaseUnits.BYTES)
        .register(registry);
  }

  private void bindCounter(
      MeterRegistry registry, String name, String kind, LongAdder count, String description) {
    FunctionCounter.builder(name, count, LongAdder::doubleValue)
        .description(description)
        .tags(tags)
        .tag("kind", kind)
        .baseUnit("errors")
        .register(registry);
  }

  private static double ratio(CodecStats.Direction compress) {
    long out = compress.bytesOut.sum();
    return out == 0 ? Double.NaN : (double) compress.bytesIn.sum() / out;
  }
}
