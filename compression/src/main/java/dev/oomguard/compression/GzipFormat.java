package dev.oomguard.compression;

import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.jspecify.annotations.Nullable;

/**
 * RFC 1952 framing: the member header and trailer around raw deflate data, and the one place where
 * both decompression paths (byte arrays and streams) judge a trailer, a stalled inflater and what
 * follows the last member.
 */
final class GzipFormat {
  static final int HEADER_SIZE = 10;
  static final int TRAILER_SIZE = 8;
  static final int ID1 = 0x1f;
  static final int ID2 = 0x8b;
  static final int CM_DEFLATE = 8;

  private static final int FHCRC = 0x02;
  private static final int FEXTRA = 0x04;
  private static final int FNAME = 0x08;
  private static final int FCOMMENT = 0x10;
  private static final int RESERVED = 0xe0;
  private static final int OS_UNKNOWN = 255;

  private GzipFormat() {}

  /** A byte source for the header parser: the next byte, or -1 at the end of the input. */
  interface ByteInput<X extends Exception> {
    int read() throws X;

    /** Offset of the next byte in the compressed input, for error messages. */
    long position();
  }

  /** Writes the fixed 10-byte header (no name, no mtime) at {@code offset}. */
  static void writeHeader(byte[] buffer, int offset, int level) {
    buffer[offset] = (byte) ID1;
    buffer[offset + 1] = (byte) ID2;
    buffer[offset + 2] = CM_DEFLATE;
    buffer[offset + 3] = 0; // FLG
    buffer[offset + 4] = 0; // MTIME, 4 bytes: not recorded
    buffer[offset + 5] = 0;
    buffer[offset + 6] = 0;
    buffer[offset + 7] = 0;
    buffer[offset + 8] = (byte) (level == 9 ? 2 : level == 1 ? 4 : 0); // XFL: slowest, fastest
    buffer[offset + 9] = (byte) OS_UNKNOWN;
  }

  /** Writes CRC32 and ISIZE (both little-endian) at {@code offset}. */
  static void writeTrailer(byte[] buffer, int offset, long crc, long uncompressedSize) {
    writeIntLe(buffer, offset, crc);
    writeIntLe(buffer, offset + 4, uncompressedSize);
  }

  static long readIntLe(byte[] buffer, int offset) {
    return (buffer[offset] & 0xffL)
        | (buffer[offset + 1] & 0xffL) << 8
        | (buffer[offset + 2] & 0xffL) << 16
        | (buffer[offset + 3] & 0xffL) << 24;
  }

  /**
   * Reads and checks one member header, every RFC 1952 flag included, leaving {@code in} at the
   * first byte of the deflate data. {@code member} counts from 1; for later members a wrong magic
   * means bytes after the previous trailer that are not another member.
   */
  static <X extends Exception> void readHeader(ByteInput<X> in, int member, CRC32 crc) throws X {
    crc.reset();
    long start = in.position();
    int id1 = next(in, member, crc, "ID1");
    // A wrong first byte already says "not a member": a lone junk byte is not a truncated header.
    int id2 = id1 == ID1 ? next(in, member, crc, "ID2") : in.read();
    if (id1 != ID1 || id2 != ID2) {
      String seen = id2 < 0 ? String.format("%02x", id1) : String.format("%02x %02x", id1, id2);
      throw new MalformedGzipException(
          member == 1
              ? "not gzip: input starts with " + seen + ", expected 1f 8b"
              : String.format(
                  "garbage after the trailer of member %d at offset %d: %s is not"
                      + " the start of another member (1f 8b)",
                  member - 1, start, seen));
    }
    int method = next(in, member, crc, "CM");
    if (method != CM_DEFLATE) {
      throw malformed(
          member, start + 2, "unsupported compression method " + method + " (only 8, deflate)");
    }
    int flags = next(in, member, crc, "FLG");
    if ((flags & RESERVED) != 0) {
      throw malformed(
          member, start + 3, String.format("reserved flag bits set (FLG=0x%02x)", flags));
    }
    for (int i = 0; i < 6; i++) {
      next(in, member, crc, "MTIME/XFL/OS");
    }
    if ((flags & FEXTRA) != 0) {
      int length = next(in, member, crc, "XLEN") | next(in, member, crc, "XLEN") << 8;
      for (int i = 0; i < length; i++) {
        next(in, member, crc, "FEXTRA");
      }
    }
    if ((flags & FNAME) != 0) {
      skipZeroTerminated(in, member, crc, "FNAME");
    }
    if ((flags & FCOMMENT) != 0) {
      skipZeroTerminated(in, member, crc, "FCOMMENT");
    }
    if ((flags & FHCRC) != 0) {
      long expected = crc.getValue() & 0xffff;
      long crcAt = in.position();
      int actual = next(in, member, null, "FHCRC") | next(in, member, null, "FHCRC") << 8;
      if (actual != expected) {
        throw malformed(
            member,
            crcAt,
            String.format("header CRC16 is %04x, header bytes give %04x", actual, expected));
      }
    }
  }

  /**
   * Checks a member's trailer, read at {@code offset}, against what its deflate data gave: the
   * CRC32 first, then ISIZE (the size modulo 2^32).
   */
  static void checkTrailer(
      long trailerCrc, long trailerIsize, long crc, long size, int member, long offset) {
    if (trailerCrc != crc) {
      throw malformed(
          member,
          offset,
          String.format("CRC32 mismatch: trailer says %08x, data gives %08x", trailerCrc, crc));
    }
    if (trailerIsize != (size & 0xffffffffL)) {
      throw malformed(
          member,
          offset + 4,
          "ISIZE mismatch: trailer says " + trailerIsize + " bytes, data has " + size);
    }
  }

  /**
   * True when an inflater that produced nothing and has not finished cannot go on whatever input
   * follows: it wants a preset dictionary (gzip has none) or it has input and makes no progress. An
   * inflater that only needs input is not stalled: the caller gives it more, or reports {@link
   * #truncated} at the end of the input.
   */
  static boolean isStalled(Inflater inflater) {
    return inflater.needsDictionary() || !inflater.needsInput();
  }

  /**
   * What is wrong with an inflater that produced nothing, did not finish, and will get no more
   * input.
   */
  static MalformedGzipException stalled(Inflater inflater, int member, long offset) {
    if (inflater.needsDictionary()) {
      return malformed(member, offset, "deflate data asks for a preset dictionary");
    }
    return inflater.needsInput()
        ? truncated(member, offset, "deflate data")
        : malformed(member, offset, "deflate data makes no progress");
  }

  static MalformedGzipException invalidDeflate(int member, long offset, DataFormatException e) {
    return new MalformedGzipException(
        "member " + member + " at offset " + offset + ": invalid deflate data: " + e.getMessage(),
        e);
  }

  /**
   * Zero bytes after the last member are padding, as {@code gzip} accepts (tar files carry it to
   * the end of a tape block); a non-zero byte after them is garbage. {@code member} is the last
   * complete member, {@code offset} where the bad byte is.
   */
  static MalformedGzipException garbageAfterPadding(int member, long offset, int b) {
    return new MalformedGzipException(
        String.format(
            "garbage after the zero padding that follows member %d at offset %d: %02x (only zero bytes may"
                + " follow the last member)",
            member, offset, b));
  }

  /**
   * Checks that only zero bytes (padding) follow the last member, from {@code from} to the end;
   * {@code member} is the last complete member.
   */
  static void checkPadding(byte[] gzip, int from, int member) {
    for (int i = from; i < gzip.length; i++) {
      if (gzip[i] != 0) {
        throw garbageAfterPadding(member, i, gzip[i] & 0xff);
      }
    }
  }

  /**
   * zlib's deflateBound for raw deflate at the default memory level: the most deflate can produce.
   */
  static long deflateBound(long length) {
    return length + (length >> 12) + (length >> 14) + (length >> 25) + 13L;
  }

  static MalformedGzipException malformed(int member, long offset, String what) {
    return new MalformedGzipException("member " + member + " at offset " + offset + ": " + what);
  }

  static MalformedGzipException truncated(int member, long offset, String where) {
    return malformed(member, offset, "input ends inside the " + where);
  }

  private static <X extends Exception> void skipZeroTerminated(
      ByteInput<X> in, int member, CRC32 crc, String field) throws X {
    while (next(in, member, crc, field) != 0) {
      // a name or comment is skipped, never stored: a hostile one costs time, not memory
    }
  }

  private static <X extends Exception> int next(
      ByteInput<X> in, int member, @Nullable CRC32 crc, String field) throws X {
    int b = in.read();
    if (b < 0) {
      throw truncated(member, in.position(), "header (" + field + ")");
    }
    if (crc != null) {
      crc.update(b);
    }
    return b;
  }

  private static void writeIntLe(byte[] buffer, int offset, long value) {
    buffer[offset] = (byte) value;
    buffer[offset + 1] = (byte) (value >>> 8);
    buffer[offset + 2] = (byte) (value >>> 16);
    buffer[offset + 3] = (byte) (value >>> 24);
  }

  /** The header parser's view of a byte array. */
  static final class ArrayInput implements GzipFormat.ByteInput<RuntimeException> {
    final byte[] data;
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
}
