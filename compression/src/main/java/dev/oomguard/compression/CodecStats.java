package dev.oomguard.compression;

import java.util.concurrent.atomic.LongAdder;

/** What a codec has done, for {@link GzipCodecMetrics}: cheap to count on every operation. */
final class CodecStats {
  /** Counters for one direction. */
  static final class Direction {
    final LongAdder operations = new LongAdder();
    final LongAdder bytesIn = new LongAdder();
    final LongAdder bytesOut = new LongAdder();

    void completed(long in, long out) {
      operations.increment();
      bytesIn.add(in);
      bytesOut.add(out);
    }
  }

  final Direction compress = new Direction();
  final Direction decompress = new Direction();
  final LongAdder malformed = new LongAdder();
  final LongAdder limitExceeded = new LongAdder();
  final LongAdder streamLimit = new LongAdder();
  final LongAdder ioErrors = new LongAdder();

  /**
   * Counts a failure by kind: bad input, breached limit, the cap on open streams, or the sink's or
   * source's own I/O.
   */
  void failed(Throwable error) {
    if (error instanceof MalformedGzipException || error instanceof MalformedGzipIOException) {
      malformed.increment();
    } else if (error instanceof DecompressionLimitException
        || error instanceof DecompressionLimitIOException) {
      limitExceeded.increment();
    } else if (error instanceof OpenStreamLimitException) {
      streamLimit.increment();
    } else {
      ioErrors.increment();
    }
  }
}
