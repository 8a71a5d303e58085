package dev.oomguard.compression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the build decided about the libdeflate engine (build-native.sh writes it to the file named
 * by {@code oomguard.native.status}): its tests run where it was built, and must then find it
 * loadable, and are skipped with the build's reason where it was not. Never silently green.
 */
final class NativeEngine {
  private NativeEngine() {}

  /**
   * Skips the calling test, with the reason, unless the engine was built; fails if it was built but
   * cannot load.
   */
  static void assumeBuilt() {
    String status = status();
    assumeTrue(status.equals("built"), () -> "native libdeflate engine " + status);
    assertThat(Libdeflate.unavailableReason())
        .as("the build made the native library, so it must load")
        .isNull();
  }

  /**
   * For a test run on each engine: skips the libdeflate run, with the reason, unless the engine was
   * built.
   */
  static void assumeUsable(GzipCodec.Engine engine) {
    if (engine != GzipCodec.Engine.JDK) {
      assumeBuilt();
    }
  }

  private static String status() {
    String file = System.getProperty("oomguard.native.status");
    if (file == null || file.isBlank()) {
      return "not built: no build status (oomguard.native.status is unset; run the tests through Maven)";
    }
    try {
      return Files.readString(Path.of(file), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new UncheckedIOException("the build wrote no native status at " + file, e);
    }
  }

  /** The packed library, as built into the test classpath. */
  static Path library() {
    return Path.of(System.getProperty("oomguard.classes"), Libdeflate.RESOURCE.substring(1));
  }
}
