package dev.oomguard.review;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.jspecify.annotations.NullMarked;
import org.junit.jupiter.api.Test;

class ConventionsTest {
  @Test
  void everyPackage_isNullMarked() throws IOException, ClassNotFoundException {
    Path classes = Path.of(System.getProperty("oomguard.classes", "target/classes"));
    List<String> packages;
    try (Stream<Path> files = Files.walk(classes)) {
      packages =
          files
              .filter(f -> f.toString().endsWith(".class"))
              .map(f -> classes.relativize(f.getParent()).toString().replace('/', '.'))
              .filter(p -> p.startsWith("dev.oomguard"))
              .distinct()
              .toList();
    }
    assertThat(packages).contains("dev.oomguard.review");
    for (String name : packages) {
      Class<?> info = Class.forName(name + ".package-info");
      assertThat(info.isAnnotationPresent(NullMarked.class)).as(name).isTrue();
    }
  }
}
