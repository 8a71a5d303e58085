package dev.oomguard.metrics.memory;

import java.util.Locale;

/** Byte sizes: parsed as the JVM's flags are written ({@code 512m}), printed in whole MiB. */
final class Bytes {
  static final long KIB = 1024;
  static final long MIB = 1024 * KIB;
  static final long GIB = 1024 * MIB;

  private Bytes() {}

  /**
   * {@code 1073741824}, {@code 1048576k}, {@code 1024m} or {@code 1g} (either case).
   *
   * @throws IllegalArgumentException naming the value if it is not a positive size
   */
  static long parseSize(String value) {
    String trimmed = value.trim().toLowerCase(Locale.ROOT);
    long unit = 1;
    String digits = trimmed;
    if (!trimmed.isEmpty()) {
      unit =
          switch (trimmed.charAt(trimmed.length() - 1)) {
            case 'k' -> KIB;
            case 'm' -> MIB;
            case 'g' -> GIB;
            case 't' -> 1024 * GIB;
            default -> 1;
          };
      if (unit != 1) {
        digits = trimmed.substring(0, trimmed.length() - 1);
      }
    }
    try {
      long number = Long.parseLong(digits);
      if (number <= 0) {
        throw new IllegalArgumentException("size must be positive, was '" + value + "'");
      }
      return Math.multiplyExact(number, unit);
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException(
          "not a size (bytes, or a number with k, m, g or t): '" + value + "'", e);
    }
  }

  /** Whole MiB, rounded to the nearest: {@code 268435456} is {@code "256 MiB"}. */
  static String mib(long bytes) {
    return Math.round((double) bytes / MIB) + " MiB";
  }
}
