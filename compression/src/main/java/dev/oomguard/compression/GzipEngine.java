package dev.oomguard.compression;

/**
 * What does the work of {@link GzipCodec}'s byte-array calls: the one seam where another
 * implementation of gzip could take them over. The codec checks arguments and its own state, and
 * counts, around it. An engine holds native memory only inside a call, never between calls, and
 * throws {@link MalformedGzipException} and {@link DecompressionLimitException} as the codec's
 * javadoc says.
 */
interface GzipEngine {
  /** One gzip member holding {@code length} bytes of {@code input} from {@code offset}. */
  byte[] compress(byte[] input, int offset, int length);

  /** The contents of every member of {@code gzip}, at most {@code limit} bytes of it. */
  byte[] decompress(byte[] gzip, long limit);
}
