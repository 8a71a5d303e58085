package dev.oomguard.compression;

import java.util.Objects;

/**
 * One libdeflate decompressor (raw DEFLATE): about 12 KB of native memory, plus up to 512 KiB of
 * retained scratch, freed by {@link #close()} and by nothing else. Made once per pooled slot.
 *
 * <p>libdeflate decompresses a whole stream into a buffer it is given and never writes past its
 * end, so the output's allocation is bounded by the buffer the caller sizes (from the limit and the
 * ISIZE hint), never by what the input claims.
 *
 * <p>Calls whose input plus output fit in {@link #CRITICAL_MAX_BYTES} pin the arrays (a JNI
 * critical region, the fastest way); bigger ones copy through native memory so that the GC never
 * waits for a multi-MiB call.
 *
 * <p>Not thread-safe for concurrent use, as a pool lends it to one caller at a time; its methods
 * are synchronized only so that a misuse (close during a call) cannot free memory in use.
 */
final class LibdeflateDecompressor implements AutoCloseable {
  /**
   * The most bytes (input + output) decompressed inside a critical region: 1 MiB, about a
   * millisecond of libdeflate's time at most (measured: 1.2 ms of CPU for 1 MiB of JSON out), so a
   * GC waits at most about that long. Copying instead costs 2-5% (NativeEngineCpuTime).
   */
  static final int CRITICAL_MAX_BYTES = 1 << 20;

  private long handle;
  private int consumed;

  /**
   * @throws IllegalStateException if the native library is unavailable
   * @throws OutOfMemoryError if libdeflate cannot allocate its state
   */
  LibdeflateDecompressor() {
    Libdeflate.requireAvailable();
    this.handle = Libdeflate.newDecompressor();
    if (handle == 0) {
      throw new OutOfMemoryError("libdeflate could not allocate a decompressor");
    }
  }

  /**
   * Decompresses one raw DEFLATE stream from {@code in[inOffset, +inLength)} into {@code
   * out[outOffset, +outLength)}; the input may go on past the stream's end (a gzip trailer, the
   * next member), see {@link #consumed()}.
   *
   * @return the bytes produced; or {@link Libdeflate#BAD_DATA} if the input is invalid or cut
   *     short, or {@link Libdeflate#OUTPUT_FULL} if the stream holds more than {@code outLength}
   *     bytes (the output's contents are then unspecified)
   */
  synchronized int decompress(
      byte[] in, int inOffset, int inLength, byte[] out, int outOffset, int outLength) {
    Objects.checkFromIndexSize(inOffset, inLength, in.length);
    Objects.checkFromIndexSize(outOffset, outLength, out.length);
    int mode =
        (long) inLength + outLength <= CRITICAL_MAX_BYTES
            ? Libdeflate.MODE_CRITICAL
            : Libdeflate.MODE_COPY;
    long result =
        Libdeflate.decompress(open(), in, inOffset, inLength, out, outOffset, outLength, mode);
    if (result < 0) {
      consumed = 0;
      if (result == Libdeflate.BAD_DATA || result == Libdeflate.OUTPUT_FULL) {
        return (int) result;
      }
      throw Libdeflate.failure(result, "decompress");
    }
    consumed = (int) (result >>> 32);
    return (int) result;
  }

  /** The length of the stream the last successful {@link #decompress} read, 0 after a failure. */
  synchronized int consumed() {
    return consumed;
  }

  synchronized boolean isOpen() {
    return handle != 0;
  }

  /** Frees the native memory; later calls do nothing, and other methods throw. */
  @Override
  public synchronized void close() {
    long freed = handle;
    handle = 0;
    if (freed != 0) {
      Libdeflate.freeDecompressor(freed);
    }
  }

  private long open() {
    if (handle == 0) {
      throw new IllegalStateException("the libdeflate decompressor is closed");
    }
    return handle;
  }
}
