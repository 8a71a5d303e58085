package dev.oomguard.compression;

import java.io.IOException;

/**
 * A decompressing stream could not start: {@link GzipCodec.Builder#maxOpenDecompressingStreams}
 * streams already hold an inflater, none came back after the codec asked the GC to reclaim dropped
 * ones, and none was closed or read to the end within the wait. A stream holds its inflater from
 * its first read until it reaches the end of its input, is closed, or fails; one that is dropped
 * before that holds it until it is garbage collected. Almost always the cause is streams that are
 * not closed: open them in try-with-resources.
 */
public final class OpenStreamLimitException extends IOException {
  private static final long serialVersionUID = 1L;
  private final int limit;

  OpenStreamLimitException(int limit, int open, long waitedMillis) {
    super(
        open
            + " decompressing streams hold an inflater, the cap (maxOpenDecompressingStreams="
            + limit
            + "), and none came back within "
            + waitedMillis
            + " ms of asking the GC to reclaim dropped ones."
            + " Each of them is open: not read to the end, not closed and not failed. Close decompressing"
            + " streams (try-with-resources) or raise the cap.");
    this.limit = limit;
  }

  /** The cap that was reached: {@link GzipCodec#maxOpenDecompressingStreams()}. */
  public int limit() {
    return limit;
  }
}
