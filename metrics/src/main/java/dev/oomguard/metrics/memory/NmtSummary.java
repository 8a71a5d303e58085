package dev.oomguard.metrics.memory;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code VM.native_memory summary}: reserved and committed bytes per NMT category. Reads any
 * scale the JVM prints ({@code 1234}, {@code 1234B}, {@code 1234KB}, {@code 12MB}, {@code 1GB}).
 */
final class NmtSummary {
  /** What the JVM answers when it was started without {@code -XX:NativeMemoryTracking}. */
  static final String NOT_ENABLED = "Native memory tracking is not enabled";

  private static final Pattern CATEGORY =
      Pattern.compile(
          "^-\\s*(\\S.*?)\\s*\\(reserved=(\\d+)([KMG]?B)?,\\s*committed=(\\d+)([KMG]?B)?\\)",
          Pattern.MULTILINE);
  private static final Pattern TOTAL =
      Pattern.compile(
          "^Total:\\s*reserved=(\\d+)([KMG]?B)?,\\s*committed=(\\d+)([KMG]?B)?", Pattern.MULTILINE);

  static final NmtSummary EMPTY = new NmtSummary(Map.of(), -1, -1);

  private final Map<String, long[]> categories;
  private final long totalReserved;
  private final long totalCommitted;

  private NmtSummary(Map<String, long[]> categories, long totalReserved, long totalCommitted) {
    this.categories = categories;
    this.totalReserved = totalReserved;
    this.totalCommitted = totalCommitted;
  }

  /**
   * Parses the command's output.
   *
   * @throws IllegalArgumentException if it is not a summary (NMT off, or a format not known),
   *     quoting its first line
   */
  static NmtSummary parse(String output) {
    Matcher total = TOTAL.matcher(output);
    if (!total.find()) {
      String first = output.strip().lines().findFirst().orElse("");
      throw new IllegalArgumentException("not an NMT summary: '" + first + "'");
    }
    Map<String, long[]> categories = new LinkedHashMap<>();
    Matcher category = CATEGORY.matcher(output);
    while (category.find()) {
      categories.put(
          category.group(1),
          new long[] {
            bytes(category.group(2), category.group(3)), bytes(category.group(4), category.group(5))
          });
    }
    return new NmtSummary(
        Collections.unmodifiableMap(categories),
        bytes(total.group(1), total.group(2)),
        bytes(total.group(3), total.group(4)));
  }

  static boolean isNotEnabled(String output) {
    return output.contains(NOT_ENABLED);
  }

  /** True for {@link #EMPTY}, what a failed run leaves: its meters read NaN. */
  boolean isEmpty() {
    return totalReserved < 0;
  }

  /** The categories in the order the JVM printed them. */
  Set<String> categories() {
    return categories.keySet();
  }

  /** Reserved bytes of a category; 0 if this summary does not list it (NMT omits empty ones). */
  long reserved(String category) {
    long[] values = categories.get(category);
    return values == null ? 0 : values[0];
  }

  long committed(String category) {
    long[] values = categories.get(category);
    return values == null ? 0 : values[1];
  }

  long totalReserved() {
    return totalReserved;
  }

  long totalCommitted() {
    return totalCommitted;
  }

  private static long bytes(String number, String unit) {
    long value = Long.parseLong(number);
    return switch (unit == null ? "B" : unit.toUpperCase(Locale.ROOT)) {
      case "KB" -> value * Bytes.KIB;
      case "MB" -> value * Bytes.MIB;
      case "GB" -> value * Bytes.GIB;
      default -> value;
    };
  }
}
