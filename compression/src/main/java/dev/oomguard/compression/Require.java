package dev.oomguard.compression;

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

  /** {@code value}, if it is from {@code min} to {@code max}, both included. */
  static int between(String name, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          name + " must be " + min + " to " + max + ", was " + value);
    }
    return value;
  }

  /** {@code value}, if it is zero or more. */
  static int notNegative(String name, int value) {
    if (value < 0) {
      throw new IllegalArgumentException(name + " must not be negative, was " + value);
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

  /** {@code value}, if it is zero or longer. */
  static Duration notNegative(String name, Duration value) {
    if (value.isNegative()) {
      throw new IllegalArgumentException(name + " must not be negative, was " + value);
    }
    return value;
  }
}
