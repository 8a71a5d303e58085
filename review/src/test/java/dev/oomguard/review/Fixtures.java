package dev.oomguard.review;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The fixture classes' files and the findings their sources promise. */
final class Fixtures {
  static final Path SOURCES = Path.of("src/test/java/dev/oomguard/review/fixtures");
  private static final Pattern MARK = Pattern.compile("// finds: (\\S+)");

  private Fixtures() {}

  /** The compiled fixtures directory. */
  static Path classesDir() {
    return Path.of(System.getProperty("oomguard.fixtures", "target/test-classes"))
        .resolve("dev/oomguard/review/fixtures");
  }

  /** The class files of a fixture and its nested classes. */
  static List<Path> classFiles(String simpleName) {
    try (Stream<Path> files = Files.list(classesDir())) {
      return files
          .filter(
              f -> {
                String name = f.getFileName().toString();
                return name.equals(simpleName + ".class") || name.startsWith(simpleName + "$");
              })
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** "rule id:line" for every line of the fixture's source marked {@code // finds: id}. */
  static List<String> expected(String simpleName) {
    List<String> marks = new ArrayList<>();
    try {
      List<String> lines = Files.readAllLines(SOURCES.resolve(simpleName + ".java"));
      for (int i = 0; i < lines.size(); i++) {
        Matcher m = MARK.matcher(lines.get(i));
        if (m.find()) {
          marks.add(m.group(1) + ":" + (i + 1));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return marks;
  }

  static List<String> found(List<Finding> findings) {
    return findings.stream().map(f -> f.rule().id() + ":" + f.line()).toList();
  }
}
