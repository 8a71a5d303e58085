package dev.oomguard.compression;

import java.util.Arrays;

/**
 * The byte-array calls on libdeflate, with pooled compressors and decompressors, and the JDK's zlib
 * ({@link ZlibEngine}) as the judge of every input libdeflate does not decode cleanly.
 *
 * <p>Compression writes the gzip header, libdeflate's raw DEFLATE and the trailer into one array of
 * exactly the member's size (libdeflate leaves room for the framing), so a call allocates its
 * output and nothing else.
 *
 * <p>Decompression sizes its output as {@link ZlibEngine} does: it reads the first header before
 * anything else, and allocates the last member's ISIZE at once only when it is plausible ({@link
 * ZlibEngine#plausibleSize}). libdeflate then decodes each member straight into that array; the
 * framing, every CRC32 and ISIZE and the padding are checked by {@link GzipFormat}, as on zlib.
 * Every other outcome goes to zlib, so that exceptions, messages and limits are zlib's by
 * construction:
 *
 * <ul>
 *   <li>bad data: libdeflate cannot tell data cut short from corrupt data, and accepts a few
 *       invalid streams that zlib rejects; so on bad data, or on any framing error after it decoded
 *       something, the whole call is run again on zlib, reusing the guessed array, which throws the
 *       exception zlib gives (or, should zlib accept it, returns zlib's result);
 *   <li>no plausible ISIZE, or more data than it said (several members, a bomb): zlib learns the
 *       exact size without allocating (throwing at the limit or at bad data), then libdeflate
 *       decodes into an array of exactly that size.
 * </ul>
 *
 * So the output arrays of one call add up to at most the guess plus the result, and to at most the
 * guess (never above the limit) when the input is bad or breaches the limit: zlib's bound.
 */
final class LibdeflateEngine implements GzipEngine {
  private final int level;
  private final HandlePool<CompressorSlot> compressors;
  private final HandlePool<DecompressorSlot> decompressors;
  private final ZlibEngine zlib;

  LibdeflateEngine(
      int level,
      HandlePool<CompressorSlot> compressors,
      HandlePool<DecompressorSlot> decompressors,
      ZlibEngine zlib) {
    this.level = level;
    this.compressors = compressors;
    this.decompressors = decompressors;
    this.zlib = zlib;
  }

  @Override
  public byte[] compress(byte[] input, int offset, int length) {
    CompressorSlot slot = compressors.acquire();
    try {
      byte[] gzip =
          slot.compressor.compress(
              input, offset, length, GzipFormat.HEADER_SIZE, GzipFormat.TRAILER_SIZE);
      GzipFormat.writeHeader(gzip, 0, level);
      slot.crc.update(input, offset, length);
      GzipFormat.writeTrailer(
          gzip, gzip.length - GzipFormat.TRAILER_SIZE, slot.crc.getValue(), length);
      return gzip;
    } finally {
      compressors.release(slot);
    }
  }

  @Override
  public byte[] decompress(byte[] gzip, long maxBytes) {
    long limit = Math.min(maxBytes, ZlibEngine.MAX_ARRAY_SIZE);
    DecompressorSlot slot = decompressors.acquire();
    try {
      // The header first: input that is not gzip allocates nothing (and fails as on zlib).
      GzipFormat.readHeader(new GzipFormat.ArrayInput(gzip), 1, slot.crc);
      long guess = ZlibEngine.plausibleSize(gzip, limit);
      if (guess >= 0) {
        byte[] out = new byte[(int) guess];
        int size = decodeMembers(slot, gzip, out);
        if (size == BAD) {
          return zlib.decompress(gzip, maxBytes, out);
        }
        if (size >= 0) {
          return size == out.length ? out : Arrays.copyOf(out, size);
        }
        // FULL: more data than the guess; learn the size (or fail at the limit) as zlib does
      }
      byte[] out = new byte[zlib.exactSize(gzip, maxBytes)];
      // zlib accepted it all: libdeflate decodes a valid stream to the same bytes, but should it
      // not, zlib decides.
      return decodeMembers(slot, gzip, out) == out.length ? out : zlib.decompress(gzip, maxBytes);
    } finally {
      decompressors.release(slot);
    }
  }

  /**
   * {@link #decodeMembers}: libdeflate found bad data, or the framing around what it decoded is
   * wrong.
   */
  private static final int BAD = -1;

  /** {@link #decodeMembers}: the data does not fit in the array. */
  private static final int FULL = -2;

  /**
   * Decodes every member into {@code out}, checking each header, CRC32, ISIZE and the padding after
   * the last member; returns the size, {@link #FULL} or {@link #BAD}. Never throws for bad input:
   * the caller has zlib say what is wrong.
   */
  private static int decodeMembers(DecompressorSlot slot, byte[] gzip, byte[] out) {
    GzipFormat.ArrayInput in = new GzipFormat.ArrayInput(gzip);
    LibdeflateDecompressor decompressor = slot.decompressor;
    int size = 0;
    int member = 0;
    try {
      do {
        member++;
        GzipFormat.readHeader(in, member, slot.crc);
        int dataStart = in.position;
        int produced =
            decompressor.decompress(
                gzip, dataStart, gzip.length - dataStart, out, size, out.length - size);
        if (produced == Libdeflate.OUTPUT_FULL) {
          return FULL;
        }
        if (produced < 0) {
          return BAD;
        }
        int trailerAt = dataStart + decompressor.consumed();
        if (gzip.length - trailerAt < GzipFormat.TRAILER_SIZE) {
          return BAD;
        }
        slot.crc.reset();
        slot.crc.update(out, size, produced);
        GzipFormat.checkTrailer(
            GzipFormat.readIntLe(gzip, trailerAt),
            GzipFormat.readIntLe(gzip, trailerAt + 4),
            slot.crc.getValue(),
            produced,
            member,
            trailerAt);
        size += produced;
        in.position = trailerAt + GzipFormat.TRAILER_SIZE;
        if (in.position < gzip.length && gzip[in.position] == 0) {
          GzipFormat.checkPadding(gzip, in.position, member);
          break;
        }
      } while (in.position < gzip.length);
    } catch (MalformedGzipException e) {
      return BAD; // zlib says what is wrong: the same message on both engines
    }
    return size;
  }
}
