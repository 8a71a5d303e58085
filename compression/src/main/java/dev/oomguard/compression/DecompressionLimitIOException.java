package dev.oomguard.compression;

import java.io.IOException;

/**
 * The stream form of {@link DecompressionLimitException}, thrown by {@link
 * GzipCodec#decompressingStream}: the stream would have produced more bytes than the codec's limit.
 */
public final class DecompressionLimitIOException extends IOException {
  private static final long serialVersionUID = 1L;
  private final long limit;

  DecompressionLimitIOException(DecompressionLimitException cause) {
    super(cause.getMessage(), cause);
    this.limit = cause.limit();
  }

  /** The limit that was exceeded, in bytes. */
  public long limit() {
    return limit;
  }
}
