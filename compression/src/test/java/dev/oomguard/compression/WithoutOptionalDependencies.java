package dev.oomguard.compression;

import java.util.Arrays;

/**
 * Run in a JVM whose classpath holds only this module's classes: the codec must work there, since
 * Micrometer and Spring Data Redis are optional dependencies. Prints what it found; exits 1 on a
 * wrong round trip.
 */
final class WithoutOptionalDependencies {
  private WithoutOptionalDependencies() {}

  public static void main(String[] args) {
    for (String absent :
        new String[] {
          "io.micrometer.core.instrument.MeterRegistry",
          "org.springframework.data.redis.serializer.RedisSerializer"
        }) {
      try {
        Class.forName(absent);
        System.out.println("present: " + absent);
      } catch (ClassNotFoundException expected) {
        System.out.println("absent: " + absent);
      }
    }
    byte[] data =
        "without optional dependencies "
            .repeat(100)
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    try (GzipCodec codec = GzipCodec.create()) {
      boolean same = Arrays.equals(codec.decompress(codec.compress(data)), data);
      System.out.println("round trip: " + (same ? "ok" : "WRONG"));
      System.exit(same ? 0 : 1);
    }
  }
}
