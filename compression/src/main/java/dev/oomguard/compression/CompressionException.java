package dev.oomguard.compression;

/**
 * A {@link GzipCodec} byte-array operation failed. The subclasses say why: {@link
 * MalformedGzipException} for input that is not valid gzip, {@link DecompressionLimitException} for
 * output that would exceed the configured limit.
 */
public class CompressionException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CompressionException(String message) {
    super(message);
  }

  public CompressionException(String message, Throwable cause) {
    super(message, cause);
  }
}
