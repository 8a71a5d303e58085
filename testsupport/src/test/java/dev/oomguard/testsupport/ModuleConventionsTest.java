package dev.oomguard.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModuleConventionsTest {
  @TempDir Path temp;

  @Test
  void packagesNotNullMarked_namesUnmarkedAndMissingPackageInfos() throws IOException {
    Path classes =
        compile(
            Map.of(
                "marked/package-info.java", "@org.jspecify.annotations.NullMarked package marked;",
                "marked/A.java", "package marked; class A {}",
                "unmarked/package-info.java", "package unmarked;",
                "unmarked/B.java", "package unmarked; class B {}",
                "bare/C.java", "package bare; class C {}"));

    try (URLClassLoader loader =
        new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
      assertThat(ModuleConventions.packages(classes)).containsExactly("bare", "marked", "unmarked");
      assertThat(ModuleConventions.packagesNotNullMarked(classes, loader))
          .containsExactly("bare", "unmarked");
    }
  }

  @Test
  void moduleDescriptor_readsAutomaticModuleNameFromManifest() throws IOException {
    Path jar = jar("some-artifact-1.0.jar", "dev.example.named");

    assertThat(ModuleConventions.moduleDescriptor(jar).name()).isEqualTo("dev.example.named");
    assertThat(ModuleConventions.moduleDescriptor(jar).isAutomatic()).isTrue();
  }

  @Test
  void moduleDescriptor_withoutManifestName_fallsBackToFileName() throws IOException {
    Path jar = jar("some-artifact-1.0.jar", null);

    assertThat(ModuleConventions.moduleDescriptor(jar).name()).isEqualTo("some.artifact");
  }

  @Test
  void moduleDescriptor_missingJar_saysToPackageFirst() {
    assertThatThrownBy(() -> ModuleConventions.moduleDescriptor(temp.resolve("absent.jar")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("absent.jar")
        .hasMessageContaining("package phase");
  }

  private Path compile(Map<String, String> sources) throws IOException {
    Path src = temp.resolve("src");
    Path out = Files.createDirectories(temp.resolve("classes"));
    for (Map.Entry<String, String> source : sources.entrySet()) {
      Path file = src.resolve(source.getKey());
      Files.createDirectories(file.getParent());
      Files.writeString(file, source.getValue());
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    List<String> args =
        new ArrayList<>(
            List.of("-d", out.toString(), "-cp", System.getProperty("java.class.path")));
    sources.keySet().forEach(name -> args.add(src.resolve(name).toString()));
    int status = javac.run(null, null, null, args.toArray(new String[0]));
    assertThat(status).as("javac exit status").isZero();
    return out;
  }

  private Path jar(String fileName, @Nullable String automaticModuleName) throws IOException {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    if (automaticModuleName != null) {
      manifest.getMainAttributes().putValue("Automatic-Module-Name", automaticModuleName);
    }
    Path jar = temp.resolve(fileName);
    try (OutputStream file = Files.newOutputStream(jar);
        JarOutputStream out = new JarOutputStream(file, manifest)) {
      out.putNextEntry(new JarEntry("dev/example/Empty.txt"));
      out.closeEntry();
    }
    return jar;
  }
}
