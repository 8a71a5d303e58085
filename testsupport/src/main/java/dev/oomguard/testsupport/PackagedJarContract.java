package dev.oomguard.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.module.ModuleDescriptor;
import org.junit.jupiter.api.Test;

/**
 * What the JDK sees when a user puts a module's jar on the module path. A module's integration test
 * (run after {@code package}) extends this and names its module.
 */
public abstract class PackagedJarContract {
  private final String moduleName;
  private final ModuleDescriptor module =
      ModuleConventions.moduleDescriptor(ModuleConventions.packagedJar());

  protected PackagedJarContract(String moduleName) {
    this.moduleName = moduleName;
  }

  @Test
  void jar_carriesAutomaticModuleName() {
    assertThat(module.name()).isEqualTo(moduleName);
    assertThat(module.isAutomatic()).isTrue();
  }

  @Test
  void jar_containsBasePackage() {
    assertThat(module.packages()).contains(moduleName);
  }
}
