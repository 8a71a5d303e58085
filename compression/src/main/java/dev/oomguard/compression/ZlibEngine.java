package dev.oomguard.compression;

import java.util.Arrays;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.jspecify.annotations.Nullable;

/**
 * The byte-array calls on the JDK's zlib, with pooled deflaters and inflaters.
 *
 * <p>Decompression sizes nothing before the first header has been read, and trusts the last four
 * bytes (the last member's ISIZE) only as far as they are plausible: within the limit and within
 * {@value #TRUSTED_RATIO} times the input plus {@value #TRUSTED_SLACK} bytes. A plausible ISIZE
 * sizes the output at once, which is exact for a single honest member. When ISIZE is implausible
 * (junk, a cut file, BGZF's empty last member, a bomb), or when the data turns out larger than it
 * (more members), a first pass inflates everything into the slot's 8 KiB buffer to learn the size,
 * checking every CRC, ISIZE and the limit, and only then allocates the exact output and inflates
 * again. So the output arrays one call allocates are at most the plausible guess plus the exact
 * result, and when the input breaches the limit, at most the guess (never above the limit):
 * whatever the input claims.
 */
final class ZlibEngine implements GzipEngine {
  /**
   * An ISIZE up to this many times the input (plus the slack) sizes the output at once. Deflate can
   * reach 1032:1, but a cut or forged file's last four bytes can say anything up to that: above
   * 32:1 (JSON gives 4-10:1) the size is learnt by a counting pass instead, which costs a second
   * inflate and no memory.
   */
  static final int TRUSTED_RATIO = 32;

  static final int TRUSTED_SLACK = 64 * 1024;
  static final int MAX_ARRAY_SIZE = Integer.MAX_VALUE - 8;

  private final int level;
  private final HandlePool<DeflaterSlot> deflaters;
  private final HandlePool<InflaterSlot> inflaters;

  ZlibEngine(int level, HandlePool<DeflaterSlot> deflaters, HandlePool<InflaterSlot> inflaters) {
    this.level = level;
    this.deflaters = deflaters;
    this.inflaters = inflaters;
  }

  @Override
  public byte[] compress(byte[] input, int offset, int length) {
    DeflaterSlot slot = deflaters.acquire();
    try {
      return deflate(slot, input, offset, length);
    } finally {
      deflaters.release(slot);
    }
  }

  @Override
  public byte[] decompress(byte[] gzip, long maxBytes) {
    return decompress(gzip, maxBytes, null);
  }

  /**
   * {@link #decompress(byte[], long)}, reusing {@code guessed} (an array of {@link #plausibleSize}
   * bytes that another engine allocated and gave up on) instead of allocating the guess again: so a
   * call that falls back here allocates no more than one that started here.
   */
  byte[] decompress(byte[] gzip, long maxBytes, byte @Nullable [] guessed) {
    long limit = Math.min(maxBytes, MAX_ARRAY_SIZE);
    InflaterSlot slot = inflaters.acquire();
    try {
      // The header first: input that is not gzip allocates nothing.
      GzipFormat.ArrayInput in = new GzipFormat.ArrayInput(gzip);
      GzipFormat.readHeader(in, 1, slot.crc);
      long guess = plausibleSize(gzip, limit);
      if (guess >= 0) {
        byte[] out = guessed != null && guessed.length == guess ? guessed : new byte[(int) guess];
        int size = inflateMembers(slot, in, out, limit);
        if (size >= 0) {
          return size == out.length ? out : Arrays.copyOf(out, size);
        }
      }
      int size = inflateMembers(slot, in, null, limit);
      byte[] out = new byte[size];
      inflateMembers(slot, in, out, limit);
      return out;
    } finally {
      inflaters.release(slot);
    }
  }

  /**
   * The exact size of everything {@code gzip} holds, learnt by inflating it into the slot's buffer;
   * every header, CRC32, ISIZE, the padding and the limit are checked, and each failure throws what
   * {@link #decompress(byte[], long)} throws. Allocates nothing.
   */
  int exactSize(byte[] gzip, long maxBytes) {
    long limit = Math.min(maxBytes, MAX_ARRAY_SIZE);
    InflaterSlot slot = inflaters.acquire();
    try {
      return inflateMembers(slot, new GzipFormat.ArrayInput(gzip), null, limit);
    } finally {
      inflaters.release(slot);
    }
  }

  /** The last member's ISIZE if it is a size worth allocating at once, else -1. */
  static long plausibleSize(byte[] gzip, long limit) {
    if (gzip.length < GzipFormat.HEADER_SIZE + GzipFormat.TRAILER_SIZE) {
      return -1;
    }
    long isize = GzipFormat.readIntLe(gzip, gzip.length - 4);
    long plausible = Math.min(limit, (long) TRUSTED_RATIO * gzip.length + TRUSTED_SLACK);
    return isize > 0 && isize <= plausible ? isize : -1;
  }

  /**
   * Inflates every member from the start of the input, checking each header, CRC32, ISIZE, the
   * padding after the last member, and the limit over all members. Into {@code out}, it returns the
   * size, or -1 as soon as the data does not fit (nothing is allocated here); with no {@code out}
   * it only counts, inflating into the slot's buffer, and returns the size.
   */
  private static int inflateMembers(
      InflaterSlot slot, GzipFormat.ArrayInput in, byte @Nullable [] out, long limit) {
    Inflater inflater = slot.inflater;
    byte[] gzip = in.data;
    in.position = 0;
    long size = 0;
    int member = 0;
    do {
      member++;
      GzipFormat.readHeader(in, member, slot.crc);
      inflater.reset();
      slot.crc.reset();
      int dataStart = in.position;
      long memberStart = size;
      inflater.setInput(gzip, dataStart, gzip.length - dataStart);
      while (!inflater.finished()) {
        byte[] target;
        int offset;
        int room;
        if (out != null && size < out.length) {
          target = out;
          offset = (int) size;
          room = out.length - offset;
        } else {
          // Counting, or out is full: one more byte would not fit, unless the member ends here.
          target = slot.buffer;
          offset = 0;
          room = slot.buffer.length;
        }
        int produced = inflate(inflater, target, offset, room, member, dataStart);
        if (produced == 0) {
          continue;
        }
        if (size + produced > limit) {
          throw new DecompressionLimitException(limit);
        }
        if (out != null && target != out) {
          return -1;
        }
        slot.crc.update(target, offset, produced);
        size += produced;
      }
      in.position = dataStart + (int) inflater.getBytesRead();
      int trailerAt = in.position;
      if (gzip.length - trailerAt < GzipFormat.TRAILER_SIZE) {
        throw GzipFormat.truncated(
            member, gzip.length, "trailer (" + (gzip.length - trailerAt) + " of 8 bytes)");
      }
      GzipFormat.checkTrailer(
          GzipFormat.readIntLe(gzip, trailerAt),
          GzipFormat.readIntLe(gzip, trailerAt + 4),
          slot.crc.getValue(),
          size - memberStart,
          member,
          trailerAt);
      in.position += GzipFormat.TRAILER_SIZE;
      if (in.position < gzip.length && gzip[in.position] == 0) {
        GzipFormat.checkPadding(gzip, in.position, member);
        break;
      }
    } while (in.position < gzip.length);
    return (int) size;
  }

  /** Inflates what it can; no output and no end of member means the input is bad or cut short. */
  private static int inflate(
      Inflater inflater, byte[] out, int offset, int length, int member, int dataStart) {
    try {
      int produced = inflater.inflate(out, offset, length);
      if (produced == 0 && !inflater.finished()) {
        throw GzipFormat.stalled(inflater, member, dataStart + inflater.getBytesRead());
      }
      return produced;
    } catch (DataFormatException e) {
      throw GzipFormat.invalidDeflate(member, dataStart + inflater.getBytesRead(), e);
    }
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

  /** zlib's deflateBound for raw deflate at the default settings, plus gzip framing. */
  private static int maxCompressedSize(int length) {
    long bound =
        GzipFormat.deflateBound(length) + 5 + GzipFormat.HEADER_SIZE + GzipFormat.TRAILER_SIZE;
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
      throw new CompressionException(
          "output exceeds the largest byte array (" + MAX_ARRAY_SIZE + " bytes)");
    }
    long read = Math.max(1, deflater.getBytesRead());
    long projected = produced * (long) length / read;
    long wanted = Math.max(projected + (projected >> 4), current + 65_536L);
    long bound = Math.max(maxCompressedSize(length), current + 65_536L);
    return (int) Math.min(Math.min(wanted, bound), MAX_ARRAY_SIZE);
  }
}
