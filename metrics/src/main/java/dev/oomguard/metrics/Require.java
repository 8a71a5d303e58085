package dev.oomguard.metrics;

import java.time.Duration;

/**
 * The argument checks of this module's base package, in one message style that names the bad value:
 * {@code "<name> must be <condition>, was <value>"}. Each returns the value it checked. Null checks
 * stay {@link java.util.Objects#requireNonNull(Object, String)}.
 */
final class Require {
  private Require() {}

  /** {@code value}, if it is at least {@code min}. */
  static int atLeast(String name, int value, int min) {
    if (value < min) {
      throw new IllegalArgumentException(name + " must be at least " + min + ", was " + value);
    }
    return value;
  }

  /** {@code value}, if it is longer than zero. */
  static Duration positive(String name, Duration value) {
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, was " + value);
    }
    return value;
  }

  /** {@code value}, if it has a character that is not white space. */
  static String notBlank(String name, String value) {
    if (value.isBlank()) {
      throw new IllegalArgumentException(name + " must not be blank, was '" + value + "'");
    }
    return value;
  }

  /** {@code value}, if it has a character. */
  static String notEmpty(String name, String value) {
    if (value.isEmpty()) {
      throw new IllegalArgumentException(name + " must not be empty, was ''");
    }
    return value;
  }
}
