package dev.oomguard.compression;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomguard.testsupport.ForkedJvm;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loading the native library, each case in a fresh JVM (a library loads once per JVM): it loads and
 * leaves no file behind; and where it must not or cannot load (forbidden by the property, a
 * corrupted library, an extraction directory that does not exist), the engine says unavailable,
 * with the reason, in one INFO line, and refuses to make handles instead of crashing.
 */
class LibdeflateLoadingTest {
  private static final Pattern INFO_LINE = Pattern.compile("libdeflate engine unavailable");

  @Test
  void load_fromTheJar_worksAndDeletesTheExtractedFile(@TempDir Path dir) throws IOException {
    NativeEngine.assumeBuilt();

    ForkedJvm.Result result =
        probe(List.of("-D" + Libdeflate.DIR_PROPERTY + "=" + dir), classpath());

    assertThat(result.value("available")).as(result.describe("available")).isEqualTo("true");
    assertThat(result.value("roundTrip")).as(result.describe("round trip")).isEqualTo("true");
    assertThat(infoLines(result)).isZero();
    try (var files = Files.list(dir)) {
      assertThat(files).as("the extracted library, deleted once loaded").isEmpty();
    }
  }

  @Test
  void load_forbiddenByTheSystemProperty_isUnavailableWithOneInfoLine() {
    NativeEngine.assumeBuilt();

    ForkedJvm.Result result =
        probe(List.of("-D" + Libdeflate.ENABLED_PROPERTY + "=false"), classpath());

    assertUnavailable(result, "forbidden by -Doomguard.compression.native=false");
  }

  @Test
  void load_ofACorruptedLibrary_isUnavailableWithOneInfoLine(@TempDir Path dir) throws IOException {
    NativeEngine.assumeBuilt();
    byte[] library = Files.readAllBytes(NativeEngine.library());
    Path corrupted = dir.resolve(Libdeflate.RESOURCE.substring(1));
    Files.createDirectories(corrupted.getParent());
    Files.write(
        corrupted,
        java.util.Arrays.copyOf(
            library, library.length / 3)); // cut mid-file, as a failed copy leaves it

    ForkedJvm.Result result = probe(List.of(), dir + File.pathSeparator + classpath());

    assertUnavailable(result, "is damaged: its SHA-256 is");
  }

  @Test
  void load_intoAMissingExtractionDirectory_isUnavailableWithOneInfoLine(@TempDir Path dir) {
    NativeEngine.assumeBuilt();

    ForkedJvm.Result result =
        probe(List.of("-D" + Libdeflate.DIR_PROPERTY + "=" + dir.resolve("missing")), classpath());

    assertUnavailable(result, "cannot load");
  }

  @Test
  void load_withoutTheLibraryInTheJar_isUnavailableWithOneInfoLine(@TempDir Path dir)
      throws IOException {
    // the main classes without META-INF/native: what a build without gcc or libdeflate-dev packs
    Path classes = Path.of(System.getProperty("oomguard.classes"));
    Path copy = dir.resolve("classes");
    try (var files = Files.walk(classes)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        if (!file.toString().contains(".so")) {
          Path target = copy.resolve(classes.relativize(file).toString());
          if (Files.isDirectory(file)) {
            Files.createDirectories(target);
          } else {
            Files.copy(file, target);
          }
        }
      }
    }
    String classpath = classpath().replace(classes.toString(), copy.toString());

    ForkedJvm.Result result = probe(List.of(), classpath);

    assertUnavailable(result, "the jar has no " + Libdeflate.RESOURCE);
  }

  private static void assertUnavailable(ForkedJvm.Result result, String reason) {
    result.exitedNormally();
    assertThat(result.value("available")).as(result.describe("available")).isEqualTo("false");
    assertThat(result.value("stable"))
        .as(result.describe("the same answer twice"))
        .isEqualTo("true");
    assertThat(result.value("reason")).as(result.describe("reason")).contains(reason);
    assertThat(result.value("use"))
        .as(result.describe("making a handle"))
        .startsWith("the libdeflate engine is unavailable: ")
        .contains(reason);
    assertThat(infoLines(result)).as(result.describe("INFO lines")).isEqualTo(1);
    assertThat(result.output())
        .as(result.describe("the INFO line says why"))
        .containsPattern("INFO.*\\R?.*" + Pattern.quote(reason));
  }

  private static ForkedJvm.Result probe(List<String> options, String classpath) {
    return ForkedJvm.run(options, classpath, LibdeflateProbe.class.getName()).exitedNormally();
  }

  private static long infoLines(ForkedJvm.Result result) {
    Matcher matcher = INFO_LINE.matcher(result.output());
    long count = 0;
    while (matcher.find()) {
      count++;
    }
    return count;
  }

  private static String classpath() {
    return System.getProperty("java.class.path");
  }
}
