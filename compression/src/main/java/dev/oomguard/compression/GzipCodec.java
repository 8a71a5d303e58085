package dev.oomguard.compression;

import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * GZIP (RFC 1952) whose native memory is bounded by its configuration, whatever callers do.
 *
 * <p>A {@code Deflater} or {@code Inflater} holds its zlib state in C heap (about 256 KiB for a
 * deflater at the default settings, about 40 KiB for an inflater) that only {@code end()} frees;
 * the GC sees a few small Java objects and has no reason to run. A {@code GZIPOutputStream} that is
 * finished but never closed leaks exactly that. This codec takes its handles from bounded pools,
 * resets them between uses, gives them back (or ends them) on every path, and holds them between
 * calls only where it must:
 *
 * <ul>
 *   <li>byte-array calls hold one handle while they run;
 *   <li>a {@linkplain #compressingStream compressing stream} holds none between calls: it buffers
 *       on the heap and borrows a deflater only while it compresses a chunk inside {@code write} or
 *       {@code finish} (never while it writes to the sink), so a dropped one holds heap only;
 *   <li>a {@linkplain #decompressingStream decompressing stream} holds an inflater from its first
 *       read to the end of its input, {@code close()} or its first exception, and at most {@code
 *       maxOpenDecompressingStreams} do at once. A stream that would be one too many first asks the
 *       GC to reclaim dropped ones (as {@code ByteBuffer.allocateDirect} does at its limit), waits
 *       briefly, then fails with {@link OpenStreamLimitException}. The cap holds with or without a
 *       GC.
 * </ul>
 *
 * <p>So, with {@code P = poolSize}, {@code S = maxOpenDecompressingStreams}, and {@code T} the
 * threads inside a byte-array call or a compressing stream's {@code write}/{@code finish} at that
 * moment (each holds one handle, as any use of zlib does):
 *
 * <pre>
 *   deflaters alive  &lt;= P + T
 *   inflaters alive  &lt;= P + S + T
 *   native memory    &lt;= (P + T) x 256 KiB + (P + S + T) x 40 KiB   (level 6; zlib's own figures)
 * </pre>
 *
 * Between calls ({@code T = 0}) with the defaults on 8 CPUs ({@code P = 16}, {@code S = 256}): at
 * most 4 MiB of deflaters and 10.6 MiB of inflaters, however many streams were abandoned.
 *
 * <p><b>Engines.</b> The byte-array calls run on libdeflate (1.5-2.5 times as fast as zlib) when
 * its native library loads, and on the JDK's zlib otherwise ({@link Builder#engine}, {@link
 * #engine()}); streams always run on the JDK's zlib. Both engines write the same gzip framing, make
 * the same RFC 1952 checks, throw the same exceptions with the same messages (libdeflate's failures
 * are re-judged by zlib) and keep the same limits and allocation bounds. On libdeflate, the
 * byte-array calls hold libdeflate handles instead of deflaters and inflaters, from two more pools
 * of {@code P}, created as needed and freed by {@link #close()} (never by a GC):
 *
 * <pre>
 *   compressors alive    &lt;= P + T      ~672 KB each at level 6 (less below), plus up to 512 KiB of retained scratch
 *   decompressors alive  &lt;= P + T      ~12 KB each, plus up to 512 KiB of retained scratch
 *   native memory        &lt;= (P + T) x (672 KB + 512 KiB) + (P + T) x (12 KB + 512 KiB)
 *                          + the zlib bound above (streams; an inflater for input libdeflate rejects)
 * </pre>
 *
 * plus, inside a call only, a buffer of input plus output freed before it returns when they exceed
 * the retained scratch. Between calls with the defaults on 8 CPUs: at most 19 MB of compressors and
 * 8.6 MB of decompressors (their scratch is only as large as the largest call made, up to 512 KiB).
 *
 * <p>Decompression never produces more than {@code maxDecompressedBytes} (default 64 MiB). It reads
 * the first header before it sizes anything, so input that is not gzip fails having allocated a few
 * hundred bytes; it believes the last member's ISIZE only up to 32 times the input plus 64 KiB (and
 * the limit), and otherwise learns the size by a first pass that allocates nothing. The output
 * arrays of one call add up to at most that guess plus the result, and to at most the limit when
 * the input breaches it. The byte-array form is further bounded by the largest Java array. Zero
 * bytes after the last member are padding, as {@code gzip} accepts.
 *
 * <p>Thread-safe; one codec per application is the normal use. {@link #close()} ends every pooled
 * handle; operations after it throw {@link IllegalStateException}.
 */
public final class GzipCodec implements AutoCloseable {
  public static final int DEFAULT_LEVEL = 6;
  public static final long DEFAULT_MAX_DECOMPRESSED_BYTES = 64L * 1024 * 1024;

  /** Per handle kind; {@link Builder#poolSize} sets it. */
  public static final int DEFAULT_POOL_SIZE = 2 * Runtime.getRuntime().availableProcessors();

  /** {@link Builder#maxOpenDecompressingStreams} sets it. */
  public static final int DEFAULT_MAX_OPEN_DECOMPRESSING_STREAMS = 256;

  /**
   * How long a decompressing stream at the cap waits for a slot, after asking the GC to reclaim.
   */
  static final Duration DEFAULT_RECLAIM_WAIT = Duration.ofMillis(500);

  private final int level;
  private final long maxDecompressedBytes;
  private final int poolSize;
  private final HandlePool<DeflaterSlot> deflaters;
  private final HandlePool<InflaterSlot> inflaters;
  private final StreamCap streamCap;
  private final HandlePool<CompressorSlot> compressors;
  private final HandlePool<DecompressorSlot> decompressors;
  private final Engine engineKind;
  private final GzipEngine engine;
  final CodecStats stats = new CodecStats();

  private GzipCodec(Builder builder) {
    this.engineKind = builder.resolveEngine();
    this.level = builder.level;
    this.maxDecompressedBytes = builder.maxDecompressedBytes;
    this.poolSize = builder.poolSize;
    this.deflaters = new HandlePool<>(poolSize, () -> new DeflaterSlot(level));
    this.inflaters = new HandlePool<>(poolSize, InflaterSlot::new);
    this.streamCap =
        new StreamCap(builder.maxOpenDecompressingStreams, builder.reclaimWait.toNanos());
    ZlibEngine zlib = new ZlibEngine(level, deflaters, inflaters);
    this.compressors = new HandlePool<>(poolSize, () -> new CompressorSlot(level));
    this.decompressors = new HandlePool<>(poolSize, DecompressorSlot::new);
    this.engine =
        engineKind == Engine.LIBDEFLATE
            ? new LibdeflateEngine(level, compressors, decompressors, zlib)
            : zlib;
  }

  /** Which implementation does the byte-array calls; streams always use the JDK's zlib. */
  public enum Engine {
    /** libdeflate when its native library loads here, the JDK's zlib otherwise (the default). */
    AUTO,
    /** libdeflate, or {@link Builder#build()} fails saying why it cannot load. */
    LIBDEFLATE,
    /** The JDK's zlib ({@link java.util.zip.Deflater}, {@link java.util.zip.Inflater}). */
    JDK
  }

  /** A codec with the defaults: level 6, a 64 MiB decompression limit, a pool of 2 per CPU. */
  public static GzipCodec create() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** True if {@code data} starts with the gzip magic and the deflate method: {@code 1f 8b 08}. */
  public static boolean isGzip(byte @Nullable [] data) {
    return data != null
        && data.length >= 3
        && (data[0] & 0xff) == GzipFormat.ID1
        && (data[1] & 0xff) == GzipFormat.ID2
        && data[2] == GzipFormat.CM_DEFLATE;
  }

  /** Compresses {@code input} into one gzip member. */
  public byte[] compress(byte[] input) {
    Objects.requireNonNull(input, "input");
    return compress(input, 0, input.length);
  }

  /** Compresses {@code length} bytes of {@code input} from {@code offset} into one gzip member. */
  public byte[] compress(byte[] input, int offset, int length) {
    Objects.requireNonNull(input, "input");
    Objects.checkFromIndexSize(offset, length, input.length);
    byte[] gzip = engine.compress(input, offset, length);
    stats.compress.completed(length, gzip.length);
    return gzip;
  }

  /**
   * Decompresses every member of {@code gzip} and returns their concatenated contents, checking
   * each member's CRC32 and ISIZE. Zero bytes after the last member are accepted as padding.
   *
   * @throws MalformedGzipException if the input is not valid gzip, is truncated, or has bytes after
   *     a trailer that are neither another member nor zero padding
   * @throws DecompressionLimitException if the output would exceed {@code maxDecompressedBytes}
   */
  public byte[] decompress(byte[] gzip) {
    Objects.requireNonNull(gzip, "gzip");
    try {
      byte[] data = engine.decompress(gzip, maxDecompressedBytes);
      stats.decompress.completed(gzip.length, data.length);
      return data;
    } catch (CompressionException e) {
      stats.failed(e);
      throw e;
    }
  }

  /**
   * A drop-in for {@code new GZIPOutputStream(sink)} that holds no native handle between calls (see
   * {@link CompressingOutputStream}), so dropping it at any point leaks nothing native. It writes
   * nothing to the sink until it has a chunk to compress or is finished.
   */
  public CompressingOutputStream compressingStream(OutputStream sink) {
    Objects.requireNonNull(sink, "sink");
    requireOpen();
    return new CompressingOutputStream(sink, this);
  }

  /**
   * A drop-in for {@code new GZIPInputStream(source)}, multi-member and limited to {@code
   * maxDecompressedBytes} in all. The header is read at the first read, not here, so a source that
   * is not gzip cannot leak an inflater (JDK-8210471). Bad data throws {@link
   * MalformedGzipIOException} (a {@code ZipException}), a breached limit {@link
   * DecompressionLimitIOException}, the cap on open streams {@link OpenStreamLimitException}; the
   * source's own failures pass through unchanged. The inflater goes back at end of input, at {@code
   * close()} or at the first exception; a stream dropped before that holds it (and one of the
   * {@code maxOpenDecompressingStreams} slots) until it is garbage collected.
   */
  public InputStream decompressingStream(InputStream source) {
    Objects.requireNonNull(source, "source");
    requireOpen();
    return new DecompressingInputStream(source, this);
  }

  /**
   * Handles (deflaters, inflaters, libdeflate compressors and decompressors) lent out right now.
   */
  public int nativeHandlesInUse() {
    return deflaters.borrowed()
        + inflaters.borrowed()
        + compressors.borrowed()
        + decompressors.borrowed();
  }

  /**
   * Handles idle in the pools, at most the pool size per kind (four kinds on libdeflate, two on the
   * JDK).
   */
  public int nativeHandlesIdle() {
    return deflaters.idle() + inflaters.idle() + compressors.idle() + decompressors.idle();
  }

  /** Handles created since this codec was built. */
  public long nativeHandlesCreated() {
    return deflaters.created()
        + inflaters.created()
        + compressors.created()
        + decompressors.created();
  }

  /** Handles ended since this codec was built; created minus ended is what holds native memory. */
  public long nativeHandlesEnded() {
    return deflaters.ended() + inflaters.ended() + compressors.ended() + decompressors.ended();
  }

  /**
   * The engine doing the byte-array calls: {@link Engine#LIBDEFLATE} or {@link Engine#JDK}, never
   * {@link Engine#AUTO}.
   */
  public Engine engine() {
    return engineKind;
  }

  public int level() {
    return level;
  }

  public long maxDecompressedBytes() {
    return maxDecompressedBytes;
  }

  public int poolSize() {
    return poolSize;
  }

  public int maxOpenDecompressingStreams() {
    return streamCap.max();
  }

  /**
   * Decompressing streams holding an inflater right now: at most {@link
   * #maxOpenDecompressingStreams()}.
   */
  public int openDecompressingStreams() {
    return streamCap.open();
  }

  /** Ends every pooled handle. Handles lent to running operations are ended as they return. */
  @Override
  public void close() {
    deflaters.close();
    inflaters.close();
    compressors.close();
    decompressors.close();
  }

  @Override
  public String toString() {
    return "GzipCodec{engine="
        + engineKind
        + ", level="
        + level
        + ", maxDecompressedBytes="
        + maxDecompressedBytes
        + ", poolSize="
        + poolSize
        + ", maxOpenDecompressingStreams="
        + streamCap.max()
        + '}';
  }

  HandlePool<DeflaterSlot> deflaters() {
    return deflaters;
  }

  HandlePool<InflaterSlot> inflaters() {
    return inflaters;
  }

  StreamCap streamCap() {
    return streamCap;
  }

  private void requireOpen() {
    // acquire() checks too; this makes a stream on a closed codec fail where it is created
    deflaters.checkOpen();
  }

  /** Configures a {@link GzipCodec}; every setting has a default. */
  public static final class Builder {
    private int level = DEFAULT_LEVEL;
    private long maxDecompressedBytes = DEFAULT_MAX_DECOMPRESSED_BYTES;
    private int poolSize = DEFAULT_POOL_SIZE;
    private int maxOpenDecompressingStreams = DEFAULT_MAX_OPEN_DECOMPRESSING_STREAMS;
    private Duration reclaimWait = DEFAULT_RECLAIM_WAIT;
    private Engine engine = Engine.AUTO;

    private Builder() {}

    /**
     * Compression level, 0 (store) to 9 (smallest); default 6, as {@code gzip} uses. The levels
     * mean what they mean in zlib on both engines. libdeflate's levels 10-12 (a few percent
     * smaller, several times slower) are not offered, so that every level works on either engine.
     *
     * @throws IllegalArgumentException if {@code level} is not 0 to 9
     */
    public Builder level(int level) {
      this.level = Require.between("level", level, 0, 9);
      return this;
    }

    /**
     * The most bytes one decompression may produce (all members together); default 64 MiB.
     *
     * @throws IllegalArgumentException if {@code maxDecompressedBytes} is negative
     */
    public Builder maxDecompressedBytes(long maxDecompressedBytes) {
      this.maxDecompressedBytes = Require.notNegative("maxDecompressedBytes", maxDecompressedBytes);
      return this;
    }

    /**
     * Idle handles kept per kind (deflaters, inflaters); default twice the available processors.
     *
     * @throws IllegalArgumentException if {@code poolSize} is less than 1
     */
    public Builder poolSize(int poolSize) {
      this.poolSize = Require.atLeast("poolSize", poolSize, 1);
      return this;
    }

    /**
     * The most decompressing streams that may hold an inflater (about 40 KiB of native memory each)
     * at once; default {@value GzipCodec#DEFAULT_MAX_OPEN_DECOMPRESSING_STREAMS}. A stream holds
     * one from its first read to the end of its input, {@code close()} or its first exception. One
     * more first asks the GC to reclaim dropped streams, waits up to 500 ms for a slot, then fails
     * with {@link OpenStreamLimitException}.
     *
     * @throws IllegalArgumentException if {@code maxOpenDecompressingStreams} is less than 1
     */
    public Builder maxOpenDecompressingStreams(int maxOpenDecompressingStreams) {
      this.maxOpenDecompressingStreams =
          Require.atLeast("maxOpenDecompressingStreams", maxOpenDecompressingStreams, 1);
      return this;
    }

    /** How long a stream at the cap waits for a slot after asking the GC; tests shorten it. */
    Builder reclaimWait(Duration reclaimWait) {
      this.reclaimWait = Require.notNegative("reclaimWait", reclaimWait);
      return this;
    }

    /**
     * Which engine does the byte-array calls; default {@link Engine#AUTO}. {@link
     * Engine#LIBDEFLATE} makes {@link #build()} fail where the native library cannot load.
     */
    public Builder engine(Engine engine) {
      this.engine = Objects.requireNonNull(engine, "engine");
      return this;
    }

    /**
     * Builds the codec with these settings.
     *
     * @throws IllegalStateException if {@link Engine#LIBDEFLATE} was asked for and the native
     *     library cannot load here; the message says why
     */
    public GzipCodec build() {
      return new GzipCodec(this);
    }

    private Engine resolveEngine() {
      return switch (engine) {
        case LIBDEFLATE -> {
          Libdeflate.requireAvailable();
          yield Engine.LIBDEFLATE;
        }
        case AUTO -> Libdeflate.isAvailable() ? Engine.LIBDEFLATE : Engine.JDK;
        case JDK -> Engine.JDK;
      };
    }
  }
}
