package dev.oomguard.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The conventions every module's compiled classes keep: its base package exists and every package
 * is {@code @NullMarked}. A module's test extends this and names its base package, and the packages
 * a code generator writes (which cannot carry our annotations), if any.
 */
public abstract class ModuleWiringContract {
  private final String basePackage;
  private final Set<String> generatedPackages;
  private final Path classes = ModuleConventions.classesDirectory();

  protected ModuleWiringContract(String basePackage, String... generatedPackages) {
    this.basePackage = basePackage;
    this.generatedPackages = Set.of(generatedPackages);
  }

  @Test
  void basePackage_isCompiled() {
    assertThat(ModuleConventions.packages(classes)).contains(basePackage);
  }

  @Test
  void everyPackage_isNullMarked() {
    assertThat(ModuleConventions.packagesNotNullMarked(classes, getClass().getClassLoader()))
        .filteredOn(name -> !generatedPackages.contains(name))
        .as("packages without a @NullMarked package-info")
        .isEmpty();
  }
}
