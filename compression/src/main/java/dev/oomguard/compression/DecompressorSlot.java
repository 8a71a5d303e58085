package dev.oomguard.compression;

import java.util.zip.CRC32;

/**
 * A pooled libdeflate decompressor with the CRC of the byte-array calls. libdeflate keeps no state
 * between calls, so {@link #reset()} only clears the CRC; {@link #end()} frees the native memory.
 */
final class DecompressorSlot implements HandlePool.Handle {
  final LibdeflateDecompressor decompressor = new LibdeflateDecompressor();
  final CRC32 crc = new CRC32();

  @Override
  public void reset() {
    crc.reset();
  }

  @Override
  public void end() {
    decompressor.close();
  }
}
