package dev.oomguard.compression;

/**
 * The input is not valid gzip: wrong magic bytes, a reserved flag, a bad header or data CRC, an
 * ISIZE that does not match, invalid deflate data, truncation, or bytes after a trailer that do not
 * start another member. The message names the member and the byte offset.
 */
public final class MalformedGzipException extends CompressionException {
  private static final long serialVersionUID = 1L;

  public MalformedGzipException(String message) {
    super(message);
  }

  public MalformedGzipException(String message, Throwable cause) {
    super(message, cause);
  }
}
