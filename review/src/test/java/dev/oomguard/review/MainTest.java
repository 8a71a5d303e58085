package dev.oomguard.review;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
  @TempDir Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return Main.run(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void run_incidentClasses_printsClassMethodLineRuleAndFixAndExitsOne() {
    int status = run(classFile("Incident3DeviceEvents"));

    assertThat(status).isEqualTo(Main.FOUND);
    assertThat(out())
        .contains(
            "dev.oomguard.review.fixtures.Incident3DeviceEvents.<init>(Incident3DeviceEvents.java:18)"
                + " [oomguard-unbounded-executor] Executors.newFixedThreadPool queues on a"
                + " LinkedBlockingQueue with no bound.")
        .contains("incident 3")
        .contains("Fix: BoundedExecutors.newFixedThreadPool(name, threads, queueCapacity)")
        .contains(
            "8 findings in 1 classes, oomguard-unbounded-executor: 8,"
                + " oomguard-native-handle-not-ended: 0, oomguard-histogram-tag-from-data: 0");
  }

  @Test
  void run_rewrittenClasses_printsTheSummaryOnlyAndExitsZero() {
    int status = run(classFile("Incident1Rewrites"));

    assertThat(status).isEqualTo(Main.FOUND_NOTHING);
    assertThat(out().strip().lines())
        .singleElement()
        .asString()
        .startsWith("0 findings in 1 classes");
  }

  @Test
  void run_classesDirectory_scansItRecursively() {
    int status = run(Fixtures.classesDir().getParent().toString());

    assertThat(status).isEqualTo(Main.FOUND);
    assertThat(out())
        .contains("Incident1GzipToRedis.save(Incident1GzipToRedis.java:35)")
        .contains("Incident4RequestTimer.record(Incident4RequestTimer.java:25)");
  }

  @Test
  void run_jarWithANestedJar_findsTheNestedJarsClasses() throws IOException {
    Path inner = dir.resolve("inner.jar");
    jar(
        inner,
        "dev/oomguard/review/fixtures/Incident1GzipToRedis.class",
        Files.readAllBytes(Fixtures.classesDir().resolve("Incident1GzipToRedis.class")));
    Path outer = dir.resolve("app.jar");
    jar(outer, "BOOT-INF/lib/inner.jar", Files.readAllBytes(inner));

    int status = run(outer.toString());

    assertThat(status).isEqualTo(Main.FOUND);
    assertThat(out())
        .contains("Incident1GzipToRedis.load(Incident1GzipToRedis.java:45)")
        .contains("8 findings in 1 classes");
  }

  @Test
  void run_classEntryBeyondTheLimit_exitsTwoWithoutReadingItAll() throws IOException {
    Path jar = dir.resolve("huge.jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      out.putNextEntry(new JarEntry("com/example/Huge.class"));
      byte[] zeros = new byte[1 << 20];
      for (int i = 0; i <= ReviewScanner.MAX_CLASS_BYTES >> 20; i++) {
        out.write(zeros);
      }
      out.closeEntry();
    }

    int status = run(jar.toString());

    assertThat(status).isEqualTo(Main.UNUSABLE);
    assertThat(err()).contains("class file too large: " + jar + "!/com/example/Huge.class");
  }

  @Test
  void run_archivesNestedTooDeep_exitsTwo() throws IOException {
    byte[] content = Files.readAllBytes(Fixtures.classesDir().resolve("Incident1Rewrites.class"));
    String entry = "Incident1Rewrites.class";
    for (int depth = 0; depth <= ReviewScanner.MAX_ARCHIVE_DEPTH; depth++) {
      Path level = dir.resolve("level" + depth + ".jar");
      jar(level, entry, content);
      content = Files.readAllBytes(level);
      entry = "lib/level" + depth + ".jar";
    }
    Path outer = dir.resolve("level" + ReviewScanner.MAX_ARCHIVE_DEPTH + ".jar");

    assertThat(run(outer.toString())).isEqualTo(Main.UNUSABLE);
    assertThat(err())
        .contains("archives nested more than " + ReviewScanner.MAX_ARCHIVE_DEPTH + " deep");
  }

  @Test
  void run_missingPath_exitsTwoNamingIt() {
    int status = run(dir.resolve("nope.jar").toString());

    assertThat(status).isEqualTo(Main.UNUSABLE);
    assertThat(err()).contains("no such file or directory: " + dir.resolve("nope.jar"));
  }

  @Test
  void run_junkClassFile_exitsTwoNamingTheFile() throws IOException {
    Path junk = dir.resolve("Junk.class");
    Files.write(junk, new byte[] {(byte) 0xCA, (byte) 0xFE, (byte) 0xBA, (byte) 0xBE, 0, 0, 0});

    int status = run(junk.toString());

    assertThat(status).isEqualTo(Main.UNUSABLE);
    assertThat(err()).contains(junk + ": not a readable class file");
  }

  @Test
  void run_junkInsideAJar_exitsTwoNamingTheEntry() throws IOException {
    Path jar = dir.resolve("bad.jar");
    jar(jar, "com/example/Bad.class", "not bytecode".getBytes(StandardCharsets.UTF_8));

    int status = run(jar.toString());

    assertThat(status).isEqualTo(Main.UNUSABLE);
    assertThat(err()).contains(jar + "!/com/example/Bad.class: not a readable class file");
  }

  @Test
  void run_fileThatIsNotAZip_exitsTwo() throws IOException {
    Path jar = dir.resolve("text.jar");
    Files.writeString(jar, "hello");

    int status = run(jar.toString());

    assertThat(status).isEqualTo(Main.UNUSABLE);
    assertThat(err()).contains("not a jar (no zip entries): " + jar);
  }

  @Test
  void run_neitherClassNorJar_exitsTwo() throws IOException {
    Path text = dir.resolve("notes.txt");
    Files.writeString(text, "hello");

    assertThat(run(text.toString())).isEqualTo(Main.UNUSABLE);
    assertThat(err()).contains("not a class file, a jar or a directory: " + text);
  }

  @Test
  void run_noArguments_exitsTwoWithUsage() {
    assertThat(run()).isEqualTo(Main.UNUSABLE);
    assertThat(err()).contains("nothing to scan").contains("usage:");
  }

  @Test
  void run_sarifWithoutAFile_exitsTwo() {
    assertThat(run("x.jar", "--sarif")).isEqualTo(Main.UNUSABLE);
    assertThat(err()).contains("--sarif needs a file name");
  }

  @Test
  void run_unknownOption_exitsTwo() {
    assertThat(run("--fix", "x.jar")).isEqualTo(Main.UNUSABLE);
    assertThat(err()).contains("unknown option: --fix");
  }

  @Test
  void run_sarifIntoAMissingDirectory_exitsTwoAfterPrintingTheFindings() {
    Path sarif = dir.resolve("no/such/dir/out.sarif");

    int status = run(classFile("Incident1GzipToRedis"), "--sarif", sarif.toString());

    assertThat(status).isEqualTo(Main.UNUSABLE);
    assertThat(out()).contains("[oomguard-native-handle-not-ended]");
    assertThat(err()).contains("cannot write " + sarif);
  }

  @Test
  void run_ownClasses_findNothing() {
    // The scanner's own archive reading must pass its own rule.
    Path classes = Path.of(System.getProperty("oomguard.classes", "target/classes"));

    assertThat(run(classes.toString())).isEqualTo(Main.FOUND_NOTHING);
  }

  private static void jar(Path file, String entry, byte[] content) throws IOException {
    try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(file))) {
      jar.putNextEntry(new JarEntry(entry));
      jar.write(content);
      jar.closeEntry();
    }
  }

  static String classFile(String fixture) {
    return Fixtures.classesDir().resolve(fixture + ".class").toString();
  }
}
