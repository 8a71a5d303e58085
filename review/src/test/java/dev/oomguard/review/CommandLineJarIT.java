package dev.oomguard.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.contrastsecurity.sarif.Result;
import com.contrastsecurity.sarif.SarifSchema210;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged command-line jar, run as a user runs it: {@code java -jar}, in its own JVM. */
class CommandLineJarIT {
  private static final Path JAR = Path.of(System.getProperty("oomguard.cli.jar", "missing"));
  private static final Path FIXTURES =
      Path.of(System.getProperty("oomguard.fixtures", "target/test-classes"))
          .resolve("dev/oomguard/review/fixtures");

  @TempDir Path dir;

  record Run(int status, String out, String err) {}

  private Run java(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-jar");
    command.add(JAR.toString());
    command.addAll(List.of(args));
    Path out = dir.resolve("out.txt");
    Path err = dir.resolve("err.txt");
    Process process =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("the scan finishes").isTrue();
    return new Run(
        process.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  @Test
  void jar_isRunnableAndCarriesNoUnrelocatedAsm() throws IOException {
    try (JarFile jar = new JarFile(JAR.toFile())) {
      assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class"))
          .isEqualTo("dev.oomguard.review.Main");
      assertThat(jar.getManifest().getMainAttributes().getValue("Automatic-Module-Name"))
          .isEqualTo("dev.oomguard.review");
      assertThat(jar.stream().map(e -> e.getName()))
          .noneMatch(n -> n.startsWith("org/objectweb/"))
          .anyMatch(n -> n.startsWith("dev/oomguard/review/internal/asm/tree/analysis/"))
          .noneMatch(n -> n.startsWith("com/tngtech/"));
    }
  }

  @Test
  void libraryJar_isAnAutomaticModuleNamedDevOomguardReview() {
    Path library = Path.of(System.getProperty("oomguard.jar", "missing"));

    ModuleDescriptor module = ModuleFinder.of(library).findAll().iterator().next().descriptor();

    assertThat(module.name()).isEqualTo("dev.oomguard.review");
    assertThat(module.isAutomatic()).isTrue();
    assertThat(module.packages()).containsExactly("dev.oomguard.review");
  }

  @Test
  void javaJar_incidentCode_printsEachFindingExitsOneAndWritesSarif() throws Exception {
    Path sarif = dir.resolve("review.sarif");

    Run run =
        java(
            FIXTURES.resolve("Incident1GzipToRedis.class").toString(),
            FIXTURES.resolve("Incident3DeviceEvents.class").toString(),
            FIXTURES.resolve("Incident4RequestTimer.class").toString(),
            "--sarif",
            sarif.toString());

    assertThat(run.status()).as(run.err()).isEqualTo(1);
    assertThat(run.out())
        .contains(
            "Incident1GzipToRedis.save(Incident1GzipToRedis.java:35) [oomguard-native-handle-not-ended]")
        .contains(
            "Incident3DeviceEvents.<init>(Incident3DeviceEvents.java:18) [oomguard-unbounded-executor]")
        .contains(
            "Incident4RequestTimer.record(Incident4RequestTimer.java:25) [oomguard-histogram-tag-from-data]")
        .contains("19 findings in 3 classes");
    SarifSchema210 log = new ObjectMapper().readValue(sarif.toFile(), SarifSchema210.class);
    List<Result> results = log.getRuns().get(0).getResults();
    assertThat(results).hasSize(19);
    assertThat(log.getRuns().get(0).getTool().getDriver().getVersion()).isNotEqualTo("unknown");
  }

  @Test
  void javaJar_rewrites_exitsZero() throws Exception {
    Run run =
        java(
            FIXTURES.resolve("Incident1Rewrites.class").toString(),
            FIXTURES.resolve("Incident3Rewrites.class").toString(),
            FIXTURES.resolve("Incident4Rewrites.class").toString());

    assertThat(run.status()).as(run.err()).isZero();
    assertThat(run.out()).startsWith("0 findings in 3 classes");
  }

  @Test
  void javaJar_itself_isClean() throws Exception {
    // The jar scans its own classes, relocated ASM included, without a finding or a skip.
    Run run = java(JAR.toString());

    assertThat(run.status()).as(run.out() + run.err()).isZero();
    assertThat(run.err()).isEmpty();
  }

  @Test
  void javaJar_missingInput_exitsTwo() throws Exception {
    Run run = java(dir.resolve("absent.jar").toString());

    assertThat(run.status()).isEqualTo(2);
    assertThat(run.err()).contains("no such file or directory");
  }
}
