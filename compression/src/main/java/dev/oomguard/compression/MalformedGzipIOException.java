package dev.oomguard.compression;

import java.util.zip.ZipException;

/**
 * The stream form of {@link MalformedGzipException}, thrown by {@link
 * GzipCodec#decompressingStream}. It is a {@link ZipException}, as the JDK's {@code
 * GZIPInputStream} throws for bad data, so existing handlers keep working; the cause is the {@link
 * MalformedGzipException} that says what was wrong.
 */
public final class MalformedGzipIOException extends ZipException {
  private static final long serialVersionUID = 1L;

  MalformedGzipIOException(MalformedGzipException cause) {
    super(cause.getMessage());
    initCause(cause);
  }
}
