package dev.oomguard.compression;

/**
 * Decompressing would produce more bytes than {@link GzipCodec.Builder#maxDecompressedBytes}: a zip
 * bomb, or a value larger than the codec was configured for. Nothing beyond the limit was
 * allocated.
 */
public final class DecompressionLimitException extends CompressionException {
  private static final long serialVersionUID = 1L;
  private final long limit;

  public DecompressionLimitException(long limit) {
    super("decompressed size exceeds the limit of " + limit + " bytes");
    this.limit = limit;
  }

  /** The limit that was exceeded, in bytes. */
  public long limit() {
    return limit;
  }
}
