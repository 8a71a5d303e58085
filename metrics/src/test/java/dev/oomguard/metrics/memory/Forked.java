package dev.oomguard.metrics.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Runs a main class in a fresh JVM with the given options: the only way to test JVM flags. */
final class Forked {
  private static final Duration TIMEOUT = Duration.ofSeconds(90);

  final String output;
  final Map<String, String> values = new LinkedHashMap<>();

  private Forked(String output) {
    this.output = output;
    for (String line : output.split("\\R")) {
      int equals = line.indexOf('=');
      if (equals > 0) {
        values.putIfAbsent(line.substring(0, equals), line.substring(equals + 1));
      }
    }
  }

  /** {@code java <options> -cp <classpath> <mainClass> <args>}; fails unless it exits with 0. */
  static Forked run(List<String> options, String classpath, String mainClass, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(options);
    command.add("-cp");
    command.add(classpath);
    command.add(mainClass);
    command.addAll(List.of(args));
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
      if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("the forked JVM did not finish in " + TIMEOUT + ": " + command);
      }
      String text = output.get(10, TimeUnit.SECONDS);
      assertThat(process.exitValue()).as("exit code of %s%n%s", command, text).isZero();
      return new Forked(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    } catch (ExecutionException | TimeoutException e) {
      throw new AssertionError(e);
    }
  }

  /** A main class of the tests, on the test class path. */
  static Forked run(List<String> options, Class<?> mainClass, String... args) {
    return run(options, System.getProperty("java.class.path"), mainClass.getName(), args);
  }

  long number(String key) {
    String value = values.get(key);
    assertThat(value).as("%s in the forked JVM's output:%n%s", key, output).isNotNull();
    return Long.parseLong(value);
  }

  private static String readAll(InputStream in) {
    try {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
