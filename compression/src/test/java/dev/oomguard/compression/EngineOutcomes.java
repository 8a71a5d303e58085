package dev.oomguard.compression;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32;

/**
 * What a codec makes of a fixed corpus of good and bad input, one line per case: {@code ok} with
 * the size and CRC32 of what came back, or the exception's class and message. Two engines (or two
 * JVMs) that give the same lines behave the same to a caller. The corpus is built with the JDK's
 * deflater, so it is the same bytes in every JVM.
 */
final class EngineOutcomes {
  static final int LIMIT = 1024 * 1024;

  private EngineOutcomes() {}

  /** A codec as the corpus expects it: a 1 MiB limit, a pool of one. */
  static GzipCodec.Builder codec() {
    return GzipCodec.builder().maxDecompressedBytes(LIMIT).poolSize(1);
  }

  static List<String> of(GzipCodec codec) {
    List<String> outcomes = new ArrayList<>();
    for (int size : new int[] {0, 1, 1_000, 100_000, LIMIT}) {
      byte[] data = GzipCodecRoundTripTest.text(size, size);
      outcomes.add("round trip " + size + ": " + decompress(codec, codec.compress(data)));
    }
    byte[] member = GzipMalformedInputTest.member(GzipCodecRoundTripTest.text(3_000, 7));
    for (int length = 0; length <= member.length; length++) {
      outcomes.add("cut at " + length + ": " + decompress(codec, Arrays.copyOf(member, length)));
    }
    byte[] small = GzipMalformedInputTest.member(GzipCodecRoundTripTest.text(500, 8));
    for (int bit = 0; bit < small.length * 8; bit++) {
      byte[] flipped = small.clone();
      flipped[bit / 8] ^= (byte) (1 << bit % 8);
      outcomes.add("bit " + bit + " flipped: " + decompress(codec, flipped));
    }
    byte[] two = concat(small, member);
    outcomes.add("two members: " + decompress(codec, two));
    outcomes.add("two members, zero padding: " + decompress(codec, concat(two, new byte[100])));
    outcomes.add(
        "padding, then garbage: " + decompress(codec, concat(two, new byte[5], new byte[] {7})));
    outcomes.add(
        "garbage after a trailer: " + decompress(codec, concat(two, new byte[] {0x1f, 0x00})));
    outcomes.add("a lone 1f after a trailer: " + decompress(codec, concat(two, new byte[] {0x1f})));
    byte[] overLimit = codec.compress(new byte[LIMIT + 1]);
    outcomes.add("over the limit: " + decompress(codec, overLimit));
    outcomes.add(
        "over the limit, ISIZE forged small: " + decompress(codec, withIsize(overLimit, 1_000)));
    outcomes.add(
        "at the limit in two members: "
            + decompress(
                codec,
                concat(codec.compress(new byte[LIMIT / 2]), codec.compress(new byte[LIMIT / 2]))));
    outcomes.add(
        "one byte over the limit in two members: "
            + decompress(
                codec,
                concat(
                    codec.compress(new byte[LIMIT / 2]), codec.compress(new byte[LIMIT / 2 + 1]))));
    outcomes.add("ISIZE off by one: " + decompress(codec, withIsize(member, 2_999)));
    byte[] junk = new byte[20_000];
    new SplittableRandom(3).nextBytes(junk);
    System.arraycopy(member, 0, junk, 0, GzipFormat.HEADER_SIZE);
    outcomes.add("junk behind a header: " + decompress(codec, junk));
    outcomes.add("not gzip: " + decompress(codec, "hello".getBytes(StandardCharsets.US_ASCII)));
    return outcomes;
  }

  /** The SHA-256 of every outcome, for comparing JVMs. */
  static String digest(List<String> outcomes) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String outcome : outcomes) {
        sha.update(outcome.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) '\n');
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  private static String decompress(GzipCodec codec, byte[] gzip) {
    try {
      byte[] data = codec.decompress(gzip);
      CRC32 crc = new CRC32();
      crc.update(data);
      return "ok " + data.length + " bytes, crc " + Long.toHexString(crc.getValue());
    } catch (RuntimeException e) {
      return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
  }

  private static byte[] withIsize(byte[] gzip, long isize) {
    byte[] copy = gzip.clone();
    for (int i = 0; i < 4; i++) {
      copy[copy.length - 4 + i] = (byte) (isize >>> 8 * i);
    }
    return copy;
  }

  private static byte[] concat(byte[]... parts) {
    int length = 0;
    for (byte[] part : parts) {
      length += part.length;
    }
    byte[] out = new byte[length];
    int at = 0;
    for (byte[] part : parts) {
      System.arraycopy(part, 0, out, at, part.length);
      at += part.length;
    }
    return out;
  }
}
