package dev.oomguard.benchmarks.replay;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One workload in its own JVM (this JVM's {@code java}, this JVM's class path), killed if it runs
 * past its timeout. Its output is kept whole; {@code key=value} lines are its measurements.
 */
record Fork(
    int exitCode, boolean timedOut, long millis, String output, Map<String, String> values) {
  /** The exit code of a JVM that {@code -XX:+ExitOnOutOfMemoryError} ended. */
  static final int OOM_EXIT = 3;

  static Fork run(Duration timeout, List<String> jvmOptions, String mainClass, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass);
    command.addAll(List.of(args));
    Path log = null;
    try {
      log = Files.createTempFile("oomguard-replay", ".log");
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      long start = System.nanoTime();
      boolean finished;
      try {
        finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while " + mainClass + " ran", e);
      }
      if (!finished) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      long millis = (System.nanoTime() - start) / 1_000_000;
      String output = Files.readString(log, StandardCharsets.UTF_8);
      return new Fork(
          finished ? process.exitValue() : -1, !finished, millis, output, parse(output));
    } catch (IOException e) {
      throw new UncheckedIOException("could not run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while " + mainClass + " was killed", e);
    } finally {
      if (log != null) {
        try {
          Files.deleteIfExists(log);
        } catch (IOException ignored) {
          // a temporary file left behind is harmless
        }
      }
    }
  }

  /** The last value of each key: progress lines repeat. */
  private static Map<String, String> parse(String output) {
    Map<String, String> values = new LinkedHashMap<>();
    for (String line : output.lines().toList()) {
      int eq = line.indexOf('=');
      if (eq > 0 && line.substring(0, eq).matches("[A-Za-z.]+")) {
        values.put(line.substring(0, eq), line.substring(eq + 1).trim());
      }
    }
    return values;
  }

  boolean ok() {
    return !timedOut && exitCode == 0 && !outOfMemory();
  }

  boolean outOfMemory() {
    return output.contains("OutOfMemoryError");
  }

  boolean has(String key) {
    return values.containsKey(key);
  }

  long get(String key) {
    String value = values.get(key);
    if (value == null) {
      throw new IllegalStateException("no " + key + " in the output:\n" + output);
    }
    return Long.parseLong(value);
  }

  /** How the JVM ended, in a few words. */
  String ending() {
    if (timedOut) {
      return "killed after the " + millis / 1000 + " s timeout";
    }
    if (exitCode == OOM_EXIT && outOfMemory()) {
      return String.format(Locale.ROOT, "died of OutOfMemoryError after %.1f s", millis / 1000.0);
    }
    return exitCode == 0 ? "finished" : "exited with " + exitCode;
  }
}
