package dev.oomguard.executors;

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

  /** {@code value}, if it is at least {@code min}. */
  static long atLeast(String name, long value, long min) {
    if (value < min) {
      throw new IllegalArgumentException(name + " must be at least " + min + ", was " + value);
    }
    return value;
  }

  /** {@code value}, if it is zero or more. */
  static long notNegative(String name, long value) {
    if (value < 0) {
      throw new IllegalArgumentException(name + " must not be negative, was " + value);
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

  /** {@code value}, if it is zero or longer. */
  static Duration notNegative(String name, Duration value) {
    if (value.isNegative()) {
      throw new IllegalArgumentException(name + " must not be negative, was " + value);
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

  /** {@code value}, if it is more than 0 and at most 1. */
  static double fraction(String name, double value) {
    if (!(value > 0 && value <= 1)) {
      throw new IllegalArgumentException(name + " must be in (0, 1], was " + value);
    }
    return value;
  }
}
