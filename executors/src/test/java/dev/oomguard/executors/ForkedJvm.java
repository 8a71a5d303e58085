package dev.oomguard.executors;

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

/** Runs a main class of the tests in a fresh JVM and reads the {@code key=value} lines it prints. */
final class ForkedJvm {
  static final Duration TIMEOUT = Duration.ofSeconds(120);

  private ForkedJvm() {}

  /** The JVM's exit code, its output, and the figures it printed. */
  record Result(int exitCode, String output, Map<String, Long> values) {
    long get(String key) {
      Long value = values.get(key);
      assertThat(value).as("%s in the forked JVM's output:%n%s", key, output).isNotNull();
      return value;
    }

    String describe(String what) {
      return what + " (forked JVM exited " + exitCode + ": " + output.replaceAll("\\R+", " ").trim() + ")";
    }
  }

  static Result run(List<String> jvmOptions, String classpath, Class<?> main, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(classpath);
    command.add(main.getName());
    command.addAll(List.of(args));
    Process process = null;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
      InputStream stdout = process.getInputStream();
      CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> readAll(stdout));
      if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        throw new AssertionError("the forked JVM did not finish in " + TIMEOUT + ": " + command);
      }
      String text = output.get(10, TimeUnit.SECONDS);
      System.out.println(main.getSimpleName() + " " + String.join(" ", args) + ": " + text.replaceAll("\\R+", " "));
      return new Result(process.exitValue(), text, parse(text));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    } catch (ExecutionException | TimeoutException e) {
      throw new AssertionError(e);
    } finally {
      if (process != null) {
        process.destroyForcibly();
      }
    }
  }

  private static Map<String, Long> parse(String output) {
    Map<String, Long> values = new LinkedHashMap<>();
    for (String line : output.split("\\R")) {
      int eq = line.indexOf('=');
      if (eq > 0 && line.substring(eq + 1).matches("-?[0-9]+")) {
        values.put(line.substring(0, eq), Long.parseLong(line.substring(eq + 1)));
      }
    }
    return values;
  }

  private static String readAll(InputStream in) {
    try {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
