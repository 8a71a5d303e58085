package dev.oomguard.compression;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomguard.testsupport.ModuleWiringContract;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CompressionModuleTest extends ModuleWiringContract {
  CompressionModuleTest() {
    super("dev.oomguard.compression");
  }

  @Test
  void codec_worksWithNeitherMicrometerNorSpringOnTheClasspath()
      throws IOException, InterruptedException {
    Path testClasses =
        Path.of(
            WithoutOptionalDependencies.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .getPath());
    String classpath =
        GzipCodec.class.getProtectionDomain().getCodeSource().getLocation().getPath()
            + File.pathSeparator
            + testClasses;
    Process java =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp",
                    classpath,
                    WithoutOptionalDependencies.class.getName()))
            .redirectErrorStream(true)
            .start();
    String output = new String(java.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(java.waitFor(60, TimeUnit.SECONDS)).isTrue();

    assertThat(output)
        .contains("absent: io.micrometer.core.instrument.MeterRegistry")
        .contains("absent: org.springframework.data.redis.serializer.RedisSerializer")
        .contains("round trip: ok");
    assertThat(java.exitValue()).as(output).isZero();
  }
}
