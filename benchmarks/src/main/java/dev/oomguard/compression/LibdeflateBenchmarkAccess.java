package dev.oomguard.compression;

import java.util.Arrays;
import java.util.zip.CRC32;
import org.jspecify.annotations.Nullable;

/**
 * The libdeflate engine for {@code dev.oomguard.benchmarks.NativeEngineBenchmark}, which cannot see
 * the package-private engine: this class shares the package from the benchmarks' class path, so the
 * main code needs no public-for-benchmark door. It frames gzip the way {@link GzipCodec} will on
 * this engine (10-byte header, raw DEFLATE, CRC32 and ISIZE), so that the benchmark measures what a
 * caller will get, and it can force either way of reaching the arrays.
 */
public final class LibdeflateBenchmarkAccess implements AutoCloseable {
  /** How the arrays reach native code: as the engine chooses, always pinned, or always copied. */
  public enum Transfer {
    AUTO,
    CRITICAL,
    COPY
  }

  private static final int HEADER = 10;
  private static final int TRAILER = 8;

  private final LibdeflateCompressor compressor;
  private final LibdeflateDecompressor decompressor;
  private final long rawCompressor;
  private final long rawDecompressor;
  private final Transfer transfer;
  private final CRC32 crc = new CRC32();
  private byte[] buffer = new byte[0];

  public LibdeflateBenchmarkAccess(int level, Transfer transfer) {
    this.compressor = new LibdeflateCompressor(level);
    this.decompressor = new LibdeflateDecompressor();
    this.rawCompressor = Libdeflate.newCompressor(level);
    this.rawDecompressor = Libdeflate.newDecompressor();
    this.transfer = transfer;
  }

  public static boolean isAvailable() {
    return Libdeflate.isAvailable();
  }

  public static @Nullable String unavailableReason() {
    return Libdeflate.unavailableReason();
  }

  /** One gzip member, as the codec will write it on this engine. */
  public byte[] gzip(byte[] input) {
    byte[] gzip;
    if (transfer == Transfer.AUTO) {
      gzip = compressor.compress(input, 0, input.length, HEADER, TRAILER);
    } else {
      // a caller's buffer of the bound, then copied to size: the way without a native-made array
      int bound = compressor.maxCompressedSize(input.length);
      if (buffer.length < bound + HEADER + TRAILER) {
        buffer = new byte[bound + HEADER + TRAILER];
      }
      int mode = transfer == Transfer.CRITICAL ? Libdeflate.MODE_CRITICAL : Libdeflate.MODE_COPY;
      int written =
          Libdeflate.compress(rawCompressor, input, 0, input.length, buffer, HEADER, bound, mode);
      gzip = Arrays.copyOf(buffer, HEADER + written + TRAILER);
    }
    gzip[0] = (byte) 0x1f;
    gzip[1] = (byte) 0x8b;
    gzip[2] = 8;
    gzip[9] = (byte) 255;
    crc.reset();
    crc.update(input, 0, input.length);
    int trailer = gzip.length - TRAILER;
    writeIntLe(gzip, trailer, (int) crc.getValue());
    writeIntLe(gzip, trailer + 4, input.length);
    return gzip;
  }

  /** The contents of a single-member gzip with a plain 10-byte header, CRC32 and ISIZE checked. */
  public byte[] gunzip(byte[] gzip) {
    int isize = readIntLe(gzip, gzip.length - 4);
    byte[] out = new byte[isize];
    int produced;
    if (transfer == Transfer.AUTO) {
      produced = decompressor.decompress(gzip, HEADER, gzip.length - HEADER, out, 0, out.length);
    } else {
      int mode = transfer == Transfer.CRITICAL ? Libdeflate.MODE_CRITICAL : Libdeflate.MODE_COPY;
      produced =
          (int)
              Libdeflate.decompress(
                  rawDecompressor, gzip, HEADER, gzip.length - HEADER, out, 0, out.length, mode);
    }
    if (produced != isize) {
      throw new IllegalStateException("decompressed " + produced + " bytes, ISIZE says " + isize);
    }
    crc.reset();
    crc.update(out, 0, out.length);
    if ((int) crc.getValue() != readIntLe(gzip, gzip.length - 8)) {
      throw new IllegalStateException("CRC32 mismatch");
    }
    return out;
  }

  @Override
  public void close() {
    compressor.close();
    decompressor.close();
    Libdeflate.freeCompressor(rawCompressor);
    Libdeflate.freeDecompressor(rawDecompressor);
  }

  private static void writeIntLe(byte[] b, int at, int value) {
    b[at] = (byte) value;
    b[at + 1] = (byte) (value >>> 8);
    b[at + 2] = (byte) (value >>> 16);
    b[at + 3] = (byte) (value >>> 24);
  }

  private static int readIntLe(byte[] b, int at) {
    return (b[at] & 0xff)
        | (b[at + 1] & 0xff) << 8
        | (b[at + 2] & 0xff) << 16
        | (b[at + 3] & 0xff) << 24;
  }
}
