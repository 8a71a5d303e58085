package dev.oomguard.metrics.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomguard.testsupport.ForkedJvm;
import java.util.List;
import org.junit.jupiter.api.Test;

/** NMT is a start-up flag, so each case runs {@link NmtProbe} in a JVM of its own. */
class NativeMemoryMetricsForkTest {
  private static final long MIB = 1024 * 1024;

  @Test
  void bindTo_inAJvmWithNmtSummary_exposesTheCategoriesWithPlausibleNumbers() {
    ForkedJvm.Result jvm =
        ForkedJvm.run(
                List.of(
                    "-XX:NativeMemoryTracking=summary", "-Xms64m", "-Xmx64m", "-XX:+UseSerialGC"),
                NmtProbe.class)
            .exitedNormally();

    for (String category :
        List.of("Java Heap", "Class", "Thread", "Code", "GC", "Internal", "Other", "Symbol")) {
      long reserved = jvm.number("jvm.native.memory.reserved|" + category);
      long committed = jvm.number("jvm.native.memory.committed|" + category);
      assertThat(committed).as("%s committed%n%s", category, jvm.output()).isPositive();
      assertThat(reserved)
          .as("%s reserved >= committed", category)
          .isGreaterThanOrEqualTo(committed);
    }
    assertThat(jvm.number("jvm.native.memory.committed|Java Heap"))
        .as("-Xms64m")
        .isEqualTo(64 * MIB);
    assertThat(jvm.number("jvm.native.memory.reserved|Java Heap"))
        .as("-Xmx64m")
        .isEqualTo(64 * MIB);
    assertThat(jvm.number("jvm.native.memory.reserved|Code"))
        .as("the code cache is reserved whole")
        .isGreaterThanOrEqualTo(jvm.number("jvm.native.memory.committed|Code") + 32 * MIB);
    assertThat(jvm.number("jvm.native.memory.committed|Thread"))
        .as("a few threads' stacks")
        .isLessThan(64 * MIB);
  }

  @Test
  void bindTo_inAJvmWithoutNmt_registersNothingAndSaysHowToTurnItOn() {
    ForkedJvm.Result jvm =
        ForkedJvm.run(List.of("-Xmx64m", "-XX:+UseSerialGC"), NmtProbe.class).exitedNormally();

    assertThat(jvm.number("meters")).isZero();
    assertThat(jvm.output()).containsOnlyOnce("-XX:NativeMemoryTracking=summary").contains("INFO");
  }
}
