package dev.oomguard.metrics.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomguard.testsupport.ForkedJvm;
import dev.oomguard.testsupport.ModuleConventions;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The command the javadoc and README give, run against the packaged jar alone: no Micrometer on the
 * class path.
 */
class MemorySizingJarIT {
  private final String jar = ModuleConventions.packagedJar().toString();

  @Test
  void main_withOnlyTheJar_printsTheIncidentsVerdictInMib() {
    ForkedJvm.Result jvm =
        ForkedJvm.run(
                List.of(
                    "-Xmx256m",
                    "-XX:MaxMetaspaceSize=256m",
                    "-XX:MaxDirectMemorySize=256m",
                    "-Doomguard.memory.limit=1g"),
                jar,
                MemorySizing.class.getName())
            .exitedNormally();

    assertThat(jvm.output())
        .startsWith("memory sizing: does not fit\n")
        .contains("max heap 256 MiB + non-heap ~")
        .contains("over the 1024 MiB limit (-Doomguard.memory.limit)")
        .contains("lower -Xmx to ")
        .contains("metaspace            256 MiB  -XX:MaxMetaspaceSize")
        .contains("direct buffers       256 MiB  -XX:MaxDirectMemorySize")
        .doesNotContain("Exception");
  }

  @Test
  void main_withOnlyTheJarAndRoomToSpare_saysItFits() {
    ForkedJvm.Result jvm =
        ForkedJvm.run(
                List.of("-Xmx64m", "-Doomguard.memory.limit=4g"), jar, MemorySizing.class.getName())
            .exitedNormally();

    assertThat(jvm.output())
        .startsWith("memory sizing: fits\n")
        .contains("of the 4096 MiB limit")
        .contains("it fits");
  }

  @Test
  void jar_containsTheMemoryPackage() {
    assertThat(ModuleConventions.moduleDescriptor(ModuleConventions.packagedJar()).packages())
        .contains("dev.oomguard.metrics.memory");
  }
}
