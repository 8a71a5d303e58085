package dev.oomguard.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * Runs a main class in a fresh JVM: the only way to test JVM flags, heap limits, RSS and native
 * memory, or a classpath without an optional dependency. The workload reports by printing {@code
 * key=value} lines.
 */
public final class ForkedJvm {
  /** How long a forked JVM may run before it is killed and the test fails. */
  public static final Duration TIMEOUT = Duration.ofMinutes(2);

  private ForkedJvm() {}

  /** How the JVM ended and what it printed (standard output and error together). */
  public record Result(String command, int exitCode, String output) {
    /** The value of the first {@code key=value} line for {@code key}, or null. */
    public @Nullable String value(String key) {
      for (String line : output.lines().toList()) {
        if (line.startsWith(key + "=")) {
          return line.substring(key.length() + 1);
        }
      }
      return null;
    }

    /** The number printed for {@code key}; fails the test if there is none. */
    public long number(String key) {
      String value = value(key);
      assertThat(value)
          .as("%s in the output of %s:%n%s", key, command, output)
          .isNotNull()
          .matches("-?[0-9]+");
      return Long.parseLong(value);
    }

    /** Fails the test unless the JVM exited with status 0. */
    public Result exitedNormally() {
      assertThat(exitCode).as("exit code of %s%n%s", command, output).isZero();
      return this;
    }

    /**
     * {@code what}, followed by how the JVM ended and its output on one line: for assertion
     * messages.
     */
    public String describe(String what) {
      return what
          + " (forked JVM exited "
          + exitCode
          + ": "
          + output.replaceAll("\\R+", " ").trim()
          + ")";
    }
  }

  /**
   * Runs {@code java <options> -cp <classpath> <mainClass> <args>} with this JVM's {@code java},
   * and waits for it up to {@link #TIMEOUT}. Does not judge the exit code: see {@link
   * Result#exitedNormally()}.
   */
  public static Result run(
      List<String> options, String classpath, String mainClass, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(options);
    command.add("-cp");
    command.add(classpath);
    command.add(mainClass);
    command.addAll(List.of(args));
    String shown =
        String.join(" ", command.subList(0, command.size() - args.length - 3))
            + " "
            + mainClass
            + " "
            + String.join(" ", args);
    Process process = null;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
      InputStream stdout = process.getInputStream();
      CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> readAll(stdout));
      if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        throw new AssertionError("the forked JVM did not finish in " + TIMEOUT + ": " + shown);
      }
      return new Result(shown, process.exitValue(), output.get(10, TimeUnit.SECONDS));
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

  /** Runs a main class of the tests, on the tests' own class path. */
  public static Result run(List<String> options, Class<?> mainClass, String... args) {
    return run(options, System.getProperty("java.class.path"), mainClass.getName(), args);
  }

  private static String readAll(InputStream in) {
    try {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
