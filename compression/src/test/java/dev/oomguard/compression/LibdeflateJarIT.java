package dev.oomguard.compression;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomguard.testsupport.ForkedJvm;
import dev.oomguard.testsupport.ModuleConventions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/** The jar a user gets carries the native library and its digest, and loads it from there. */
class LibdeflateJarIT {
  private final Path jar = ModuleConventions.packagedJar();

  @Test
  void jar_carriesTheNativeLibraryAndItsDigest() throws IOException {
    NativeEngine.assumeBuilt();
    try (JarFile file = new JarFile(jar.toFile())) {
      assertThat(file.getEntry(Libdeflate.RESOURCE.substring(1)))
          .as("the library in " + jar)
          .isNotNull();
      assertThat(file.getEntry(Libdeflate.RESOURCE.substring(1) + ".sha256"))
          .as("its digest")
          .isNotNull();
    }
  }

  @Test
  void jar_loadsTheEngineFromItself() {
    NativeEngine.assumeBuilt();
    String classpath =
        jar
            + java.io.File.pathSeparator
            + Path.of(
                LibdeflateProbe.class.getProtectionDomain().getCodeSource().getLocation().getPath())
            + java.io.File.pathSeparator
            + Path.of(
                org.jspecify.annotations.NullMarked.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .getPath());

    ForkedJvm.Result result =
        ForkedJvm.run(List.of(), classpath, LibdeflateProbe.class.getName()).exitedNormally();

    assertThat(result.value("available")).as(result.describe("available")).isEqualTo("true");
    assertThat(result.value("roundTrip")).as(result.describe("round trip")).isEqualTo("true");
  }
}
