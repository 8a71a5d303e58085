package dev.oomguard.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomguard.testsupport.ModuleConventions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BenchmarksJarIT {
  @Test
  void uberJar_listsBenchmarksWhenRunOnItsOwn() throws IOException, InterruptedException {
    Path jar = ModuleConventions.packagedJar();
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process process =
        new ProcessBuilder(java.toString(), "-jar", jar.toString(), "-l")
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    assertThat(output)
        .contains(
            "dev.oomguard.benchmarks.GzipCompressBenchmark.compress",
            "dev.oomguard.benchmarks.GzipDecompressBenchmark.decompress",
            "dev.oomguard.benchmarks.ExecutorBenchmark.oneProducer",
            "dev.oomguard.benchmarks.ExecutorBenchmark.twoProducers",
            "dev.oomguard.benchmarks.EventProcessorBenchmark.spill",
            "dev.oomguard.benchmarks.EventProcessorBenchmark.replay",
            "dev.oomguard.benchmarks.CardinalityGuardBenchmark.registerNewCombination");
  }
}
