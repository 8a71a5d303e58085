package dev.oomguard.executors;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomguard.testsupport.ForkedJvm;
import dev.oomguard.testsupport.ModuleConventions;
import java.io.File;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Micrometer is optional: the executors and MemoryBudget load and run with no Micrometer on the
 * classpath, in a forked JVM whose classpath is the tests' own minus every Micrometer jar.
 */
class WithoutMicrometerTest {
  @Test
  void executorAndMemoryBudget_withoutMicrometerOnTheClasspath_loadAndRun() {
    String classpath =
        Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
            .filter(
                entry ->
                    !entry.contains("micrometer")
                        && !entry.contains("HdrHistogram")
                        && !entry.contains("LatencyUtils"))
            .collect(Collectors.joining(File.pathSeparator));

    ForkedJvm.Result result =
        ForkedJvm.run(
            List.of(),
            classpath,
            WithoutMicrometerWorkload.class.getName(),
            ModuleConventions.classesDirectory().toString());

    assertThat(result.exitCode()).as(result.describe("exit code")).isZero();
    assertThat(result.number("micrometerAbsent"))
        .as(result.describe("Micrometer absent"))
        .isEqualTo(1);
    assertThat(result.number("classesLoaded"))
        .as(result.describe("classes loaded"))
        .isGreaterThanOrEqualTo(10);
    assertThat(result.number("ran")).as(result.describe("tasks run")).isEqualTo(100);
    assertThat(result.number("leased")).isEqualTo(1000);
    assertThat(result.number("budgetAvailable")).isEqualTo(1024);
    assertThat(result.number("eventsHandled")).as(result.describe("events handled")).isEqualTo(10);
  }
}
