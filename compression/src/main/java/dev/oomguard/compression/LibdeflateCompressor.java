package dev.oomguard.compression;

import java.util.Objects;

/**
 * One libdeflate compressor (raw DEFLATE, no gzip framing): about 672 KB of native memory at level
 * 6 (less below, more at 10-12), plus up to 512 KiB of retained scratch, freed by {@link #close()}
 * and by nothing else: nothing here depends on the GC. Made once per pooled slot.
 *
 * <p>Levels 1-9 mean what they mean in zlib (speed against size), 0 stores. libdeflate's 10-12
 * (optimal parsing: a few percent smaller, several times slower) are accepted here but the codec
 * does not offer them: its level setting stays zlib's 0-9, so that both engines honour it.
 *
 * <p>Compression never holds a JNI critical region: the input is copied into the handle's native
 * scratch (a memory copy is ~1% of a deflate call), and the output copied out of it.
 *
 * <p>Not thread-safe for concurrent use, as a pool lends it to one caller at a time; its methods
 * are synchronized only so that a misuse (close during a call) cannot free memory in use.
 */
final class LibdeflateCompressor implements AutoCloseable {
  private final int level;
  private long handle;

  /**
   * @throws IllegalStateException if the native library is unavailable
   * @throws IllegalArgumentException if {@code level} is not 0 to 12
   * @throws OutOfMemoryError if libdeflate cannot allocate its state
   */
  LibdeflateCompressor(int level) {
    Require.between("level", level, 0, 12);
    Libdeflate.requireAvailable();
    this.level = level;
    this.handle = Libdeflate.newCompressor(level);
    if (handle == 0) {
      throw new OutOfMemoryError("libdeflate could not allocate a level " + level + " compressor");
    }
  }

  int level() {
    return level;
  }

  /** The most raw DEFLATE bytes that {@code length} input bytes can become. */
  synchronized int maxCompressedSize(int length) {
    Require.notNegative("length", length);
    long bound = Libdeflate.compressBound(open(), length);
    if (bound < 0) {
      throw Libdeflate.failure(bound, "compressBound");
    }
    return (int) Math.min(bound, Integer.MAX_VALUE);
  }

  /**
   * Compresses {@code in[inOffset, +inLength)} as one raw DEFLATE stream into {@code out[outOffset,
   * +outLength)}.
   *
   * @return the bytes written, or {@link Libdeflate#OUTPUT_FULL} if they do not fit (a buffer of
   *     {@link #maxCompressedSize} always suffices)
   */
  synchronized int compress(
      byte[] in, int inOffset, int inLength, byte[] out, int outOffset, int outLength) {
    Objects.checkFromIndexSize(inOffset, inLength, in.length);
    Objects.checkFromIndexSize(outOffset, outLength, out.length);
    int written =
        Libdeflate.compress(
            open(), in, inOffset, inLength, out, outOffset, outLength, Libdeflate.MODE_COPY);
    if (written < 0 && written != Libdeflate.OUTPUT_FULL) {
      throw Libdeflate.failure(written, "compress");
    }
    return written;
  }

  /**
   * Compresses {@code in[inOffset, +inLength)} into a new array of exactly {@code prefix + n +
   * suffix} bytes, the n bytes of raw DEFLATE at {@code [prefix, prefix + n)}: room for a gzip
   * header and trailer, so that the call allocates its output and nothing else on the heap.
   */
  synchronized byte[] compress(byte[] in, int inOffset, int inLength, int prefix, int suffix) {
    Objects.checkFromIndexSize(inOffset, inLength, in.length);
    if (prefix < 0 || suffix < 0) {
      throw new IllegalArgumentException(
          "prefix and suffix must not be negative, were " + prefix + " and " + suffix);
    }
    int[] code = new int[1];
    byte[] out = Libdeflate.compressToArray(open(), in, inOffset, inLength, prefix, suffix, code);
    if (out == null) {
      if (code[0] == Libdeflate.OUTPUT_FULL) {
        throw new CompressionException("output exceeds the largest byte array");
      }
      throw Libdeflate.failure(code[0], "compress");
    }
    return out;
  }

  /** True until {@link #close()}. */
  synchronized boolean isOpen() {
    return handle != 0;
  }

  /** Frees the native memory; later calls do nothing, and other methods throw. */
  @Override
  public synchronized void close() {
    long freed = handle;
    handle = 0;
    if (freed != 0) {
      Libdeflate.freeCompressor(freed);
    }
  }

  private long open() {
    if (handle == 0) {
      throw new IllegalStateException("the libdeflate compressor is closed");
    }
    return handle;
  }
}
