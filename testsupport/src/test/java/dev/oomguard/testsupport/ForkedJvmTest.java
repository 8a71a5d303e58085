package dev.oomguard.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ForkedJvmTest {
  /** Prints what the tests read, the max heap it was given, and exits with the status asked for. */
  static final class Workload {
    public static void main(String[] args) {
      System.out.println("answer=42");
      System.out.println("maxHeapMiB=" + (Runtime.getRuntime().maxMemory() >> 20));
      System.out.println("word=" + args[1]);
      System.exit(Integer.parseInt(args[0]));
    }
  }

  @Test
  void run_passesOptionsAndArgumentsAndReadsTheLines() {
    ForkedJvm.Result jvm =
        ForkedJvm.run(List.of("-Xmx32m"), Workload.class, "0", "hello").exitedNormally();

    assertThat(jvm.number("answer")).isEqualTo(42);
    assertThat(jvm.number("maxHeapMiB")).isBetween(24L, 32L);
    assertThat(jvm.value("word")).isEqualTo("hello");
    assertThat(jvm.value("missing")).isNull();
  }

  @Test
  void exitedNormally_onAFailedJvm_failsWithItsOutput() {
    ForkedJvm.Result jvm = ForkedJvm.run(List.of(), Workload.class, "3", "bye");

    assertThat(jvm.exitCode()).isEqualTo(3);
    assertThatThrownBy(jvm::exitedNormally)
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("word=bye");
    assertThatThrownBy(() -> jvm.number("word")).isInstanceOf(AssertionError.class);
  }
}
