package dev.oomguard.compression;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Objects;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.jspecify.annotations.Nullable;

/**
 * GZIP (RFC 1952) whose native memory is a fixed, known bound.
 *
 * <p>A {@code Deflater} or {@code Inflater} holds its zlib state in C heap (about 256 KiB for a
 * deflater at the default settings) that only {@code end()} frees; the GC sees a few small Java
 * objects and has no reason to run. A {@code GZIPOutputStream} that is finished but never closed
 * leaks exactly that. This codec takes its handles from a bounded pool, resets them between uses,
 * and gives them back (or ends them) on every path: when an operation returns, when it throws,
 * and for streams at {@code finish()}, at {@code close()}, at end of input and at the first
 * exception, whichever comes first. A stream that is abandoned without any of these gives its
 * handle back when it is garbage collected.
 *
 * <p>Limits, stated plainly:
 * <ul>
 *   <li>At most {@code poolSize} idle deflaters and {@code poolSize} idle inflaters are kept, so
 *       idle native memory is at most {@code poolSize} × (~256 KiB + ~40 KiB) at the default
 *       level. Borrowing never blocks: under a burst of N concurrent operations N handles exist,
 *       and the ones that do not fit back in the pool are ended as they return.
 *   <li>Decompression never produces more than {@code maxDecompressedBytes} (default 64 MiB), nor
 *       allocates more than that plus a small constant, whatever the input's ISIZE claims. The
 *       byte-array form is further bounded by the largest Java array.
 *   <li>Each pooled deflater keeps an output buffer of up to 256 KiB on the heap.
 * </ul>
 *
 * <p>Thread-safe; one codec per application is the normal use. {@link #close()} ends every pooled
 * handle; operations after it throw {@link IllegalStateException}.
 */
public final class GzipCodec implements AutoCloseable {
  public static final int DEFAULT_LEVEL = 6;
  public static final long DEFAULT_MAX_DECOMPRESSED_BYTES = 64L * 1024 * 1024;
  /** Per handle kind; {@link Builder#poolSize} sets it. */
  public static final int DEFAULT_POOL_SIZE = 2 * Runtime.getRuntime().availableProcessors();

  /** The most a deflate stream can expand its input: 1032:1 (RFC 1951 block limits). */
  private static final long MAX_DEFLATE_RATIO = 1032;
  private static final int MAX_ARRAY_SIZE = Integer.MAX_VALUE - 8;

  private final int level;
  private final long maxDecompressedBytes;
  private final int poolSize;
  private final HandlePool<DeflaterSlot> deflaters;
  private final HandlePool<InflaterSlot> inflaters;
  final CodecStats stats = new CodecStats();

  private GzipCodec(Builder builder) {
    this.level = builder.level;
    this.maxDecompressedBytes = builder.maxDecompressedBytes;
    this.poolSize = builder.poolSize;
    this.deflaters = new HandlePool<>(poolSize, () -> new DeflaterSlot(level));
    this.inflaters = new HandlePool<>(poolSize, InflaterSlot::new);
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
    DeflaterSlot slot = deflaters.acquire();
    try {
      byte[] gzip = deflate(slot, input, offset, length);
      stats.compress.completed(length, gzip.length);
      return gzip;
    } finally {
      deflaters.release(slot);
    }
  }

  /**
   * Decompresses every member of {@code gzip} and returns their concatenated contents, checking
   * each member's CRC32 and ISIZE.
   *
   * @throws MalformedGzipException if the input is not valid gzip, is truncated, or has bytes
   *     after a trailer that do not start another member
   * @throws DecompressionLimitException if the output would exceed {@code maxDecompressedBytes}
   */
  public byte[] decompress(byte[] gzip) {
    Objects.requireNonNull(gzip, "gzip");
    InflaterSlot slot = inflaters.acquire();
    try {
      byte[] data = inflate(slot, gzip);
      stats.decompress.completed(gzip.length, data.length);
      return data;
    } catch (CompressionException e) {
      stats.failed(e);
      throw e;
    } finally {
      inflaters.release(slot);
    }
  }

  /**
   * A drop-in for {@code new GZIPOutputStream(sink)}. It takes its deflater at the first write (so
   * constructing it cannot leak one, unlike the JDK's, which writes the header in the constructor)
   * and gives it back at {@code finish()}, {@code close()} or the first exception.
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
   * DecompressionLimitIOException}; the source's own failures pass through unchanged. The inflater
   * goes back at end of input, at {@code close()} or at the first exception.
   */
  public InputStream decompressingStream(InputStream source) {
    Objects.requireNonNull(source, "source");
    requireOpen();
    return new DecompressingInputStream(source, this);
  }

  /** Handles (deflaters and inflaters) lent out right now. */
  public int nativeHandlesInUse() {
    return deflaters.borrowed() + inflaters.borrowed();
  }

  /** Handles idle in the pools, at most twice the pool size. */
  public int nativeHandlesIdle() {
    return deflaters.idle() + inflaters.idle();
  }

  /** Handles created since this codec was built. */
  public long nativeHandlesCreated() {
    return deflaters.created() + inflaters.created();
  }

  /** Handles ended since this codec was built; created minus ended is what holds native memory. */
  public long nativeHandlesEnded() {
    return deflaters.ended() + inflaters.ended();
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

  /** Ends every pooled handle. Handles lent to running operations are ended as they return. */
  @Override
  public void close() {
    deflaters.close();
    inflaters.close();
  }

  @Override
  public String toString() {
    return "GzipCodec{level=" + level + ", maxDecompressedBytes=" + maxDecompressedBytes + ", poolSize=" + poolSize + '}';
  }

  HandlePool<DeflaterSlot> deflaters() {
    return deflaters;
  }

  HandlePool<InflaterSlot> inflaters() {
    return inflaters;
  }

  private void requireOpen() {
    // acquire() checks too; this makes a stream on a closed codec fail where it is created
    deflaters.checkOpen();
  }

  private byte[] deflate(DeflaterSlot slot, byte[] input, int offset, int length) {
    byte[] out = slot.buffer(maxCompressedSize(length));
    GzipFormat.writeHeader(out, 0, level);
    int size = GzipFormat.HEADER_SIZE;
    slot.deflater.setInput(input, offset, length);
    slot.deflater.finish();
    while (!slot.deflater.finished()) {
      int written = slot.deflater.deflate(out, size, out.length - size);
      size += written;
      if (size == out.length || written == 0) {
        out = Arrays.copyOf(out, projectedCapacity(slot.deflater, size, length, out.length));
      }
    }
    slot.crc.update(input, offset, length);
    byte[] gzip = Arrays.copyOf(out, size + GzipFormat.TRAILER_SIZE);
    GzipFormat.writeTrailer(gzip, size, slot.crc.getValue(), length);
    return gzip;
  }

  private byte[] inflate(InflaterSlot slot, byte[] gzip) {
    long limit = Math.min(maxDecompressedBytes, MAX_ARRAY_SIZE);
    byte[] out = new byte[initialCapacity(gzip, limit)];
    int size = 0;
    ArrayInput in = new ArrayInput(gzip);
    int member = 0;
    do {
      member++;
      GzipFormat.readHeader(in, member, slot.crc);
      Inflater inflater = slot.inflater;
      inflater.reset();
      slot.crc.reset();
      int dataStart = in.position;
      int memberStart = size;
      inflater.setInput(gzip, dataStart, gzip.length - dataStart);
      while (!inflater.finished()) {
        if (size == out.length) {
          // Full: ask for a few more bytes before growing, so an exact-size buffer is not grown
          // just to learn that the member has ended, and nothing is allocated past the limit.
          int more = inflate(inflater, slot.buffer, 0, slot.buffer.length, member, dataStart);
          if (more == 0) {
            continue;
          }
          if (size + (long) more > limit) {
            throw new DecompressionLimitException(limit);
          }
          out = Arrays.copyOf(out, (int) Math.min(limit, Math.max(size + (long) more, grow(out.length, MAX_ARRAY_SIZE))));
          System.arraycopy(slot.buffer, 0, out, size, more);
          size += more;
          continue;
        }
        int produced = inflate(inflater, out, size, out.length - size, member, dataStart);
        size += produced;
      }
      in.position = dataStart + (int) inflater.getBytesRead();
      slot.crc.update(out, memberStart, size - memberStart);
      checkTrailer(gzip, in.position, member, slot.crc.getValue(), size - memberStart);
      in.position += GzipFormat.TRAILER_SIZE;
    } while (in.position < gzip.length);
    return size == out.length ? out : Arrays.copyOf(out, size);
  }

  /** Inflates what it can; no output and no end of member means the input is bad or cut short. */
  private static int inflate(Inflater inflater, byte[] out, int offset, int length, int member, int dataStart) {
    try {
      int produced = inflater.inflate(out, offset, length);
      if (produced == 0 && !inflater.finished()) {
        long at = dataStart + inflater.getBytesRead();
        if (inflater.needsDictionary()) {
          throw GzipFormat.malformed(member, at, "deflate data asks for a preset dictionary");
        }
        throw inflater.needsInput()
            ? GzipFormat.truncated(member, at, "deflate data")
            : GzipFormat.malformed(member, at, "deflate data makes no progress");
      }
      return produced;
    } catch (DataFormatException e) {
      throw new MalformedGzipException("member " + member + " at offset " + (dataStart + inflater.getBytesRead())
          + ": invalid deflate data: " + e.getMessage(), e);
    }
  }

  private static void checkTrailer(byte[] gzip, int offset, int member, long crc, long size) {
    if (gzip.length - offset < GzipFormat.TRAILER_SIZE) {
      throw GzipFormat.truncated(member, gzip.length, "trailer (" + (gzip.length - offset) + " of 8 bytes)");
    }
    long expectedCrc = GzipFormat.readIntLe(gzip, offset);
    if (expectedCrc != crc) {
      throw GzipFormat.malformed(member, offset,
          String.format("CRC32 mismatch: trailer says %08x, data gives %08x", expectedCrc, crc));
    }
    long isize = GzipFormat.readIntLe(gzip, offset + 4);
    if (isize != (size & 0xffffffffL)) {
      throw GzipFormat.malformed(member, offset + 4,
          "ISIZE mismatch: trailer says " + isize + " bytes, data has " + size);
    }
  }

  /**
   * Sizes the output from the last member's ISIZE, which is exact for a single member. ISIZE is
   * not trusted beyond the limit, nor beyond what the input could possibly inflate to.
   */
  private static int initialCapacity(byte[] gzip, long limit) {
    if (gzip.length < GzipFormat.HEADER_SIZE + GzipFormat.TRAILER_SIZE) {
      return 0;
    }
    long isize = GzipFormat.readIntLe(gzip, gzip.length - 4);
    long possible = gzip.length * MAX_DEFLATE_RATIO;
    return (int) Math.min(isize, Math.min(limit, possible));
  }

  /** zlib's deflateBound for raw deflate at the default settings, plus gzip framing. */
  private static int maxCompressedSize(int length) {
    long bound = length + (length >> 12) + (length >> 14) + (length >> 25) + 13L + 5
        + GzipFormat.HEADER_SIZE + GzipFormat.TRAILER_SIZE;
    return (int) Math.min(bound, MAX_ARRAY_SIZE);
  }

  /**
   * The output outgrew the slot's buffer (only when it is over {@link
   * DeflaterSlot#MAX_RETAINED_BUFFER}): sizes the one array it continues in from the ratio so far,
   * plus 1/16 and 64 KiB of slack, never past the deflate bound, instead of doubling through 512
   * KiB, 1 MiB, ... (which allocated up to 2.8 times the output).
   */
  private static int projectedCapacity(Deflater deflater, int produced, int length, int current) {
    if (current >= MAX_ARRAY_SIZE) {
      throw new CompressionException("output exceeds the largest byte array (" + MAX_ARRAY_SIZE + " bytes)");
    }
    long read = Math.max(1, deflater.getBytesRead());
    long projected = produced * (long) length / read;
    long wanted = Math.max(projected + (projected >> 4), current + 65_536L);
    long bound = Math.max(maxCompressedSize(length), current + 65_536L);
    return (int) Math.min(Math.min(wanted, bound), MAX_ARRAY_SIZE);
  }

  private static int grow(int length, int max) {
    if (length >= max) {
      throw new CompressionException("output exceeds the largest byte array (" + max + " bytes)");
    }
    return (int) Math.min(max, Math.max(64, length * 2L));
  }

  /** The header parser's view of a byte array. */
  private static final class ArrayInput implements GzipFormat.ByteInput<RuntimeException> {
    private final byte[] data;
    int position;

    ArrayInput(byte[] data) {
      this.data = data;
    }

    @Override
    public int read() {
      return position < data.length ? data[position++] & 0xff : -1;
    }

    @Override
    public long position() {
      return position;
    }
  }

  /** Configures a {@link GzipCodec}; every setting has a default. */
  public static final class Builder {
    private int level = DEFAULT_LEVEL;
    private long maxDecompressedBytes = DEFAULT_MAX_DECOMPRESSED_BYTES;
    private int poolSize = DEFAULT_POOL_SIZE;

    private Builder() {}

    /** Compression level, 0 (store) to 9 (smallest); default 6, as {@code gzip} uses. */
    public Builder level(int level) {
      if (level < 0 || level > 9) {
        throw new IllegalArgumentException("level must be 0 to 9, was " + level);
      }
      this.level = level;
      return this;
    }

    /** The most bytes one decompression may produce (all members together); default 64 MiB. */
    public Builder maxDecompressedBytes(long maxDecompressedBytes) {
      if (maxDecompressedBytes < 0) {
        throw new IllegalArgumentException("maxDecompressedBytes must not be negative, was " + maxDecompressedBytes);
      }
      this.maxDecompressedBytes = maxDecompressedBytes;
      return this;
    }

    /** Idle handles kept per kind (deflaters, inflaters); default twice the available processors. */
    public Builder poolSize(int poolSize) {
      if (poolSize < 1) {
        throw new IllegalArgumentException("poolSize must be at least 1, was " + poolSize);
      }
      this.poolSize = poolSize;
      return this;
    }

    public GzipCodec build() {
      return new GzipCodec(this);
    }
  }
}
