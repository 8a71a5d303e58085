package dev.oomguard.review;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.analysis.AnalyzerException;

/**
 * Scans built code for the rules' anti-patterns: single class files, directories of them, and jars
 * (including the jars nested in a Spring Boot or WAR archive).
 *
 * <p>Reads bytecode only; never loads or runs the scanned classes. Archives are read as streams,
 * entry by entry, so memory stays at one class file (at most {@value #MAX_CLASS_BYTES} bytes)
 * whatever the archive's size. Immutable and safe to share between threads. A method that the
 * bytecode analysis cannot follow (malformed or from a compiler ASM does not know) is skipped and
 * counted, never guessed at.
 */
public final class ReviewScanner {
  /** Class files bigger than this are not class files a compiler wrote: refused, not read. */
  static final int MAX_CLASS_BYTES = 64 * 1024 * 1024;

  /** Archives nest one or two deep (a Spring Boot jar, a war in an ear); deeper is refused. */
  static final int MAX_ARCHIVE_DEPTH = 4;

  private final List<Check> checks;

  private ReviewScanner(Set<Rule> rules) {
    List<Check> all =
        List.of(new ExecutorCheck(), new NativeHandleCheck(), new HistogramTagCheck());
    this.checks = all.stream().filter(c -> rules.contains(c.rule())).toList();
  }

  /** A scanner for every rule. */
  public static ReviewScanner allRules() {
    return new ReviewScanner(EnumSet.allOf(Rule.class));
  }

  /** A scanner for the given rules only. */
  public static ReviewScanner of(Collection<Rule> rules) {
    if (rules.isEmpty()) {
      throw new IllegalArgumentException("rules must name at least one rule");
    }
    return new ReviewScanner(EnumSet.copyOf(rules));
  }

  /** What a scan found, and how many methods it could not analyse. */
  public record Result(List<Finding> findings, int classes, List<String> skipped) {
    public Result {
      findings = List.copyOf(findings);
      skipped = List.copyOf(skipped);
    }
  }

  /**
   * Scans one class file.
   *
   * @throws IllegalArgumentException when the bytes are not a class file
   */
  public List<Finding> scanClass(byte[] classFile) {
    List<String> skipped = new ArrayList<>();
    List<Finding> findings = new ArrayList<>();
    scanClass(classFile, findings, skipped);
    return List.copyOf(findings);
  }

  /**
   * Scans class files, directories (recursively) and jars.
   *
   * @throws IllegalArgumentException naming the path when it does not exist or is neither a class
   *     file, a directory nor a jar, or when a class file in it is malformed
   * @throws UncheckedIOException when reading fails
   */
  public Result scan(List<Path> paths) {
    List<Finding> findings = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    int[] classes = {0};
    for (Path path : paths) {
      if (!Files.exists(path)) {
        throw new IllegalArgumentException("no such file or directory: " + path);
      }
      try {
        if (Files.isDirectory(path)) {
          try (Stream<Path> files = Files.walk(path)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
              scanFile(file, findings, skipped, classes);
            }
          }
        } else if (!scanFile(path, findings, skipped, classes)) {
          throw new IllegalArgumentException("not a class file, a jar or a directory: " + path);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + path, e);
      }
    }
    findings.sort(
        Comparator.comparing(Finding::className)
            .thenComparingInt(Finding::line)
            .thenComparing(f -> f.rule().id()));
    return new Result(findings, classes[0], skipped);
  }

  private boolean scanFile(Path file, List<Finding> findings, List<String> skipped, int[] classes)
      throws IOException {
    String name = file.getFileName().toString();
    if (name.endsWith(".class")) {
      if (isScannedClass(name)) {
        if (Files.size(file) > MAX_CLASS_BYTES) {
          throw new IllegalArgumentException("class file too large: " + file);
        }
        scanClassNamed(file.toString(), Files.readAllBytes(file), findings, skipped);
        classes[0]++;
      }
      return true;
    }
    if (isArchive(name)) {
      try (InputStream in = Files.newInputStream(file)) {
        scanArchive(file.toString(), in, 1, findings, skipped, classes);
      }
      return true;
    }
    return false;
  }

  private static boolean isArchive(String name) {
    return name.endsWith(".jar") || name.endsWith(".war") || name.endsWith(".ear");
  }

  private static boolean isScannedClass(String entryName) {
    // module-info and package-info hold no code; META-INF/versions repeats classes per release.
    return entryName.endsWith(".class")
        && !entryName.endsWith("module-info.class")
        && !entryName.endsWith("package-info.class")
        && !entryName.startsWith("META-INF/versions/");
  }

  private void scanArchive(
      String where,
      InputStream in,
      int depth,
      List<Finding> findings,
      List<String> skipped,
      int[] classes)
      throws IOException {
    if (depth > MAX_ARCHIVE_DEPTH) {
      throw new IllegalArgumentException(
          "archives nested more than " + MAX_ARCHIVE_DEPTH + " deep: " + where);
    }
    // The zip's entries are read one by one from the stream; nested archives the same way.
    // Closing the zip stream ends its Inflater; the stream under it belongs to the caller.
    try (ZipInputStream zip =
        new ZipInputStream(
            new FilterInputStream(in) {
              @Override
              public void close() {}
            })) {
      scanEntries(where, zip, depth, findings, skipped, classes);
    }
  }

  private void scanEntries(
      String where,
      ZipInputStream zip,
      int depth,
      List<Finding> findings,
      List<String> skipped,
      int[] classes)
      throws IOException {
    ZipEntry entry;
    boolean any = false;
    while ((entry = zip.getNextEntry()) != null) {
      any = true;
      String name = entry.getName();
      if (entry.isDirectory()) {
        continue;
      }
      if (isScannedClass(name)) {
        byte[] bytes = zip.readNBytes(MAX_CLASS_BYTES + 1);
        if (bytes.length > MAX_CLASS_BYTES) {
          throw new IllegalArgumentException("class file too large: " + where + "!/" + name);
        }
        scanClassNamed(where + "!/" + name, bytes, findings, skipped);
        classes[0]++;
      } else if (isArchive(name)) {
        scanArchive(where + "!/" + name, zip, depth + 1, findings, skipped, classes);
      }
    }
    if (!any) {
      throw new IllegalArgumentException("not a jar (no zip entries): " + where);
    }
  }

  private void scanClassNamed(
      String where, byte[] bytes, List<Finding> findings, List<String> skipped) {
    try {
      scanClass(bytes, findings, skipped);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
    }
  }

  private void scanClass(byte[] bytes, List<Finding> findings, List<String> skipped) {
    Objects.requireNonNull(bytes, "classFile");
    ClassNode node = new ClassNode(Opcodes.ASM9);
    try {
      new ClassReader(bytes).accept(node, ClassReader.SKIP_FRAMES);
    } catch (RuntimeException e) {
      // ASM signals malformed input with assorted unchecked exceptions.
      throw new IllegalArgumentException("not a readable class file (" + e + ")", e);
    }
    String className = node.name.replace('/', '.');
    String sourceFile = node.sourceFile == null ? "" : node.sourceFile;
    for (MethodNode method : node.methods) {
      List<Check> relevant = checks.stream().filter(c -> c.mayMatch(method)).toList();
      if (relevant.isEmpty()) {
        continue;
      }
      MethodFlow flow;
      try {
        flow = MethodFlow.analyze(node.name, sourceFile, method);
      } catch (AnalyzerException | RuntimeException e) {
        skipped.add(className + '.' + method.name + method.desc + ": " + e.getMessage());
        continue;
      }
      Check.Sink sink =
          (Rule rule, AbstractInsnNode at, String message) ->
              findings.add(
                  new Finding(
                      rule,
                      className,
                      method.name,
                      method.desc,
                      sourceFile,
                      flow.line(at),
                      message));
      for (Check check : relevant) {
        check.check(flow, sink);
      }
    }
  }
}
