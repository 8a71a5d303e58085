package dev.oomguard.compression;

import java.util.zip.CRC32;
import java.util.zip.Deflater;

/** A pooled raw {@link Deflater} with the CRC and the output buffer of the byte-array calls. */
final class DeflaterSlot implements HandlePool.Handle {
  /** Largest buffer a slot keeps between uses: bounds the heap a full pool holds. */
  static final int MAX_RETAINED_BUFFER = 256 * 1024;

  final Deflater deflater;
  final CRC32 crc = new CRC32();
  private byte[] buffer = new byte[8192];

  DeflaterSlot(int level) {
    this.deflater = new Deflater(level, true);
  }

  /** The slot's buffer, grown to at least {@code size} bytes (up to the retained maximum). */
  byte[] buffer(int size) {
    int wanted = Math.min(size, MAX_RETAINED_BUFFER);
    if (buffer.length < wanted) {
      buffer = new byte[wanted];
    }
    return buffer;
  }

  @Override
  public void reset() {
    deflater.reset();
    crc.reset();
  }

  @Override
  public void end() {
    deflater.end();
  }
}
