package dev.oomguard.compression;

import java.util.zip.CRC32;

/**
 * A pooled libdeflate compressor with the CRC of the byte-array calls. libdeflate keeps no state
 * between calls, so {@link #reset()} only clears the CRC; {@link #end()} frees the native memory.
 */
final class CompressorSlot implements HandlePool.Handle {
  final LibdeflateCompressor compressor;
  final CRC32 crc = new CRC32();

  CompressorSlot(int level) {
    this.compressor = new LibdeflateCompressor(level);
  }

  @Override
  public void reset() {
    crc.reset();
  }

  @Override
  public void end() {
    compressor.close();
  }
}
