package dev.oomguard.benchmarks;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;

/** Deterministic test data shaped like what services really compress: JSON documents. */
final class Payloads {
  private static final String[] WORDS = {
    "device", "temperature", "online", "firmware", "region", "eu-west", "us-east", "battery",
    "status", "ok", "degraded", "sensor", "reading", "timestamp", "customer", "order"
  };

  private Payloads() {}

  /** A JSON array of records, exactly {@code size} bytes of UTF-8, the same for the same seed. */
  static byte[] json(int size, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    StringBuilder json = new StringBuilder(size + 256).append('[');
    for (int id = 0; json.length() < size; id++) {
      json.append(id == 0 ? "" : ",")
          .append("{\"id\":")
          .append(id)
          .append(",\"name\":\"")
          .append(WORDS[random.nextInt(WORDS.length)])
          .append('-')
          .append(random.nextInt(10_000))
          .append("\",\"status\":\"")
          .append(WORDS[random.nextInt(WORDS.length)])
          .append("\",\"value\":")
          .append(random.nextInt(1_000_000) / 100.0)
          .append(",\"ts\":")
          .append(1_700_000_000_000L + random.nextInt(86_400_000))
          .append('}');
    }
    byte[] bytes = json.toString().getBytes(StandardCharsets.US_ASCII);
    return Arrays.copyOf(bytes, size);
  }
}
