package dev.oomguard.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jspecify.annotations.NullMarked;

/** Reads what a module's build produced, so each module can test the conventions it must keep. */
public final class ModuleConventions {
  private ModuleConventions() {}

  /** The module's compiled classes directory, as the build passes it to the tests. */
  public static Path classesDirectory() {
    return Path.of(requiredProperty("oomguard.classes"));
  }

  /** The module's packaged jar, as the build passes it to the integration tests. */
  public static Path packagedJar() {
    return Path.of(requiredProperty("oomguard.jar"));
  }

  /** Every package under {@code classesRoot} that holds at least one class file. */
  public static SortedSet<String> packages(Path classesRoot) {
    try (Stream<Path> files = Files.walk(classesRoot)) {
      return files
          .filter(file -> file.toString().endsWith(".class"))
          .map(file -> classesRoot.relativize(file.getParent()).toString().replace('/', '.'))
          .filter(name -> !name.isEmpty())
          .collect(Collectors.toCollection(TreeSet::new));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The packages under {@code classesRoot} whose package-info is missing or not
   * {@code @NullMarked}.
   */
  public static List<String> packagesNotNullMarked(Path classesRoot, ClassLoader loader) {
    return packages(classesRoot).stream()
        .filter(name -> !isNullMarked(name, loader))
        .collect(Collectors.toList());
  }

  /** The module descriptor the JDK derives for {@code jar} when it is put on the module path. */
  public static ModuleDescriptor moduleDescriptor(Path jar) {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("no jar at " + jar + "; run the package phase first");
    }
    List<ModuleReference> modules = List.copyOf(ModuleFinder.of(jar).findAll());
    if (modules.size() != 1) {
      throw new IllegalStateException("expected one module in " + jar + ", found " + modules);
    }
    return modules.get(0).descriptor();
  }

  private static boolean isNullMarked(String packageName, ClassLoader loader) {
    try {
      Class<?> packageInfo = Class.forName(packageName + ".package-info", false, loader);
      return packageInfo.isAnnotationPresent(NullMarked.class);
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  static String requiredProperty(String name) {
    String value = System.getProperty(name);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException(
          "system property " + name + " is not set; run the tests through Maven");
    }
    return value;
  }
}
