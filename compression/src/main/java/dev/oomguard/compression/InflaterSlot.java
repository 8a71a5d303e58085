package dev.oomguard.compression;

import java.util.zip.CRC32;
import java.util.zip.Inflater;

/** A pooled raw {@link Inflater} with the CRC and the input buffer that go with it. */
final class InflaterSlot implements HandlePool.Handle {
  final Inflater inflater = new Inflater(true);
  final CRC32 crc = new CRC32();

  /** Where streams read compressed input into, and where a limit probe inflates into. */
  final byte[] buffer = new byte[8192];

  @Override
  public void reset() {
    inflater.reset();
    crc.reset();
  }

  @Override
  public void end() {
    inflater.end();
  }
}
