package dev.oomguard.metrics.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomguard.testsupport.ForkedJvm;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link MemorySizing} on JVMs started with different flags, against a simulated 1 GiB limit (there
 * is no container here). The non-heap is bounded by flags, so the numbers are exact: metaspace 64 +
 * code cache 32 + 100 threads × -Xss + direct 16 + Serial GC (1 MiB + 0.5% of heap) + other 48.
 */
class MemorySizingForkTest {
  private static final long MIB = 1024 * 1024;
  private static final String LIMIT = "1g";
  private static final String THREADS = "100";

  private static ForkedJvm.Result sizing(String... flags) {
    List<String> options =
        new ArrayList<>(
            List.of(
                "-XX:+UseSerialGC",
                "-XX:MaxMetaspaceSize=64m",
                "-XX:ReservedCodeCacheSize=32m",
                "-XX:MaxDirectMemorySize=16m"));
    options.addAll(List.of(flags));
    return ForkedJvm.run(options, SizingProbe.class, LIMIT, THREADS).exitedNormally();
  }

  @Test
  void inspect_smallHeap_fitsAndReadsTheFlags() {
    ForkedJvm.Result jvm = sizing("-Xmx256m", "-Xss512k");

    assertThat(jvm.value("verdict")).as(jvm.output()).isEqualTo("FITS");
    assertThat(jvm.number("maxHeap")).isEqualTo(256 * MIB);
    assertThat(jvm.number("metaspace")).isEqualTo(64 * MIB);
    assertThat(jvm.number("code cache")).isEqualTo(32 * MIB);
    assertThat(jvm.number("direct buffers")).isEqualTo(16 * MIB);
    assertThat(jvm.number("thread stacks")).isEqualTo(100 * 512 * 1024L);
    assertThat(jvm.number("GC structures")).isEqualTo(MIB + 256 * MIB / 200);
  }

  @Test
  void inspect_heapLeavingUnderTenPercent_isTight() {
    ForkedJvm.Result jvm = sizing("-Xmx800m", "-Xss512k");

    assertThat(jvm.value("verdict")).as(jvm.output()).isEqualTo("TIGHT");
  }

  @Test
  void inspect_heapPastTheLimit_doesNotFit() {
    ForkedJvm.Result jvm = sizing("-Xmx900m", "-Xss512k");

    assertThat(jvm.value("verdict")).as(jvm.output()).isEqualTo("DOES_NOT_FIT");
    assertThat(jvm.output()).contains("lower -Xmx to 706 MiB");
  }

  @Test
  void inspect_largerThreadStacks_turnAFittingHeapIntoOneThatDoesNotFit() {
    ForkedJvm.Result small = sizing("-Xmx700m", "-Xss256k");
    ForkedJvm.Result large = sizing("-Xmx700m", "-Xss2m");

    assertThat(small.value("verdict")).as(small.output()).isEqualTo("FITS");
    assertThat(large.value("verdict")).as(large.output()).isEqualTo("DOES_NOT_FIT");
    assertThat(large.number("thread stacks")).isEqualTo(100 * 2 * MIB);
  }

  @Test
  void inspect_largerMaxMetaspace_turnsAFittingHeapTight() {
    ForkedJvm.Result jvm = sizing("-Xmx600m", "-Xss512k", "-XX:MaxMetaspaceSize=200m");

    assertThat(jvm.number("metaspace")).as("the last flag wins").isEqualTo(200 * MIB);
    assertThat(jvm.value("verdict")).as(jvm.output()).isEqualTo("TIGHT");
  }

  @Test
  void inspect_theIncident_1GbXmx256mWithALargeNonHeap_doesNotFit() {
    // Incident 2 on its 1 GB machine: G1 and the default code cache; metaspace and direct buffers
    // as large as the image work made them; twenty request threads beside the server's own.
    ForkedJvm.Result jvm =
        ForkedJvm.run(
                List.of("-Xmx256m", "-XX:MaxMetaspaceSize=256m", "-XX:MaxDirectMemorySize=256m"),
                SizingProbe.class,
                "1000000000",
                "60")
            .exitedNormally();

    assertThat(jvm.value("verdict")).as(jvm.output()).isEqualTo("DOES_NOT_FIT");
    assertThat(jvm.output()).contains("max heap 256 MiB + non-heap ~");
  }
}
