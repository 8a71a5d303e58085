package dev.oomguard.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomguard.testsupport.ModuleConventions;
import dev.oomguard.testsupport.PackagedJarContract;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

class SpringBootJarIT extends PackagedJarContract {
  SpringBootJarIT() {
    super("dev.oomguard.spring.boot");
  }

  @Test
  void jar_registersEveryAutoConfigurationAndShipsGeneratedMetadata() throws IOException {
    try (JarFile jar = new JarFile(ModuleConventions.packagedJar().toFile())) {
      String imports =
          new String(
              jar.getInputStream(
                      jar.getEntry(
                          "META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports"))
                  .readAllBytes(),
              StandardCharsets.UTF_8);
      assertThat(imports.lines().toList())
          .containsExactlyInAnyOrderElementsOf(
              List.of(
                  TaskExecutionGuardAutoConfiguration.class.getName(),
                  CardinalityGuardAutoConfiguration.class.getName(),
                  MemoryGuardAutoConfiguration.class.getName(),
                  MemoryHeadroomHealthAutoConfiguration.class.getName(),
                  RedisGzipAutoConfiguration.class.getName(),
                  OomguardEndpointAutoConfiguration.class.getName()));
      String metadata =
          new String(
              jar.getInputStream(jar.getEntry("META-INF/spring-configuration-metadata.json"))
                  .readAllBytes(),
              StandardCharsets.UTF_8);
      assertThat(metadata)
          .contains(
              "\"oomguard.task.execution.queue-capacity\"",
              "\"oomguard.redis.gzip.enabled\"",
              "\"oomguard.metrics.cardinality.max-series\"",
              "\"oomguard.memory.min-headroom\"");
      assertThat(jar.getEntry("META-INF/spring-autoconfigure-metadata.properties")).isNotNull();
    }
  }
}
