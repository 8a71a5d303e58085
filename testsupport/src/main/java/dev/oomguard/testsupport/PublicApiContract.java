package dev.oomguard.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The module's public surface as a committed file, so that a change to it is always deliberate and
 * shows in review: every type a user can reach and every member they can call or override, with
 * generic signatures, one per line, sorted. A published module's test extends this.
 *
 * <p>The file is {@code api/<artifactId>.api} in the module (the build passes its path as {@code
 * oomguard.api}). After a deliberate change, write it anew with {@code -Doomguard.api.update=true}
 * and commit it with the change.
 */
public abstract class PublicApiContract {
  private final Path classes = ModuleConventions.classesDirectory();

  @Test
  void publicApi_matchesTheCommittedListing() throws IOException {
    Path listing = Path.of(ModuleConventions.requiredProperty("oomguard.api"));
    String actual = String.join("\n", describe(classes, getClass().getClassLoader())) + "\n";
    if (Boolean.getBoolean("oomguard.api.update")) {
      Files.createDirectories(listing.getParent());
      Files.writeString(listing, actual, StandardCharsets.UTF_8);
    }
    assertThat(listing)
        .as(
            "the committed public API listing; after a deliberate change run the tests with -Doomguard.api.update=true")
        .exists();
    assertThat(actual)
        .as(
            "public API of %s against %s (after a deliberate change, run with -Doomguard.api.update=true)",
            classes, listing)
        .isEqualTo(Files.readString(listing, StandardCharsets.UTF_8));
  }

  /**
   * The public surface of the classes under {@code classesRoot}, one sorted line per type and
   * member.
   */
  static List<String> describe(Path classesRoot, ClassLoader loader) {
    List<String> lines = new ArrayList<>();
    for (Class<?> type : reachableTypes(classesRoot, loader)) {
      lines.add(typeLine(type));
      // By name, then by the whole line: overloads stay together, constructors come first.
      TreeMap<String, String> members = new TreeMap<>();
      for (Constructor<?> constructor : type.getDeclaredConstructors()) {
        if (visible(type, constructor)) {
          add(members, "<init>", executableLine(constructor));
        }
      }
      for (Method method : type.getDeclaredMethods()) {
        if (visible(type, method) && !method.isBridge()) {
          add(members, method.getName(), executableLine(method));
        }
      }
      for (Field field : type.getDeclaredFields()) {
        if (visible(type, field)) {
          add(
              members,
              field.getName(),
              Modifier.toString(field.getModifiers())
                  + " "
                  + field.getGenericType().getTypeName()
                  + " "
                  + field.getName());
        }
      }
      members.values().forEach(member -> lines.add("  " + member));
    }
    return lines;
  }

  private static void add(Map<String, String> members, String name, String line) {
    members.put(name + ' ' + line, line);
  }

  private static List<Class<?>> reachableTypes(Path classesRoot, ClassLoader loader) {
    try (Stream<Path> files = Files.walk(classesRoot)) {
      return files
          .map(file -> classesRoot.relativize(file).toString())
          .filter(
              name ->
                  name.endsWith(".class")
                      && !name.endsWith("package-info.class")
                      && !name.endsWith("module-info.class"))
          .map(
              name ->
                  load(
                      name.substring(0, name.length() - ".class".length()).replace('/', '.'),
                      loader))
          .filter(PublicApiContract::reachable)
          .sorted((a, b) -> a.getName().compareTo(b.getName()))
          .collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Public, or protected in a type a user can extend, all the way out to the top-level type. */
  private static boolean reachable(Class<?> type) {
    if (type.isSynthetic() || type.isAnonymousClass() || type.isLocalClass()) {
      return false;
    }
    for (Class<?> c = type; c != null; c = c.getDeclaringClass()) {
      int modifiers = c.getModifiers();
      boolean extendable =
          c.getDeclaringClass() != null && !Modifier.isFinal(c.getDeclaringClass().getModifiers());
      if (!Modifier.isPublic(modifiers) && !(Modifier.isProtected(modifiers) && extendable)) {
        return false;
      }
    }
    return true;
  }

  private static boolean visible(Class<?> owner, Member member) {
    if (member.isSynthetic()) {
      return false;
    }
    int modifiers = member.getModifiers();
    return Modifier.isPublic(modifiers)
        || (Modifier.isProtected(modifiers) && !Modifier.isFinal(owner.getModifiers()));
  }

  private static String typeLine(Class<?> type) {
    String kind =
        type.isAnnotation()
            ? "@interface"
            : type.isInterface()
                ? "interface"
                : type.isEnum() ? "enum" : type.isRecord() ? "record" : "class";
    int modifiers =
        type.getModifiers()
            & (type.isInterface() ? Modifier.interfaceModifiers() : Modifier.classModifiers());
    if (type.isInterface()) {
      modifiers &= ~Modifier.ABSTRACT;
    }
    if (type.isEnum() || type.isRecord()) {
      modifiers &= ~Modifier.FINAL;
    }
    StringBuilder line = new StringBuilder();
    String words = Modifier.toString(modifiers);
    line.append(words.isEmpty() ? "" : words + " ").append(kind).append(' ').append(type.getName());
    if (type.getTypeParameters().length > 0) {
      line.append(
          Arrays.stream(type.getTypeParameters())
              .map(Type::getTypeName)
              .collect(Collectors.joining(", ", "<", ">")));
    }
    Type superclass = type.getGenericSuperclass();
    if (superclass != null && superclass != Object.class && !type.isEnum() && !type.isRecord()) {
      line.append(" extends ").append(superclass.getTypeName());
    }
    Type[] interfaces = type.getGenericInterfaces();
    if (interfaces.length > 0) {
      line.append(type.isInterface() ? " extends " : " implements ")
          .append(
              Arrays.stream(interfaces).map(Type::getTypeName).collect(Collectors.joining(", ")));
    }
    return line.toString();
  }

  private static String executableLine(Executable executable) {
    Method method = executable instanceof Method m ? m : null;
    StringBuilder line =
        new StringBuilder(
            Modifier.toString(
                executable.getModifiers()
                    & (method != null
                        ? Modifier.methodModifiers()
                        : Modifier.constructorModifiers())));
    if (method != null && method.isDefault()) {
      line.append(" default");
    }
    if (executable.getTypeParameters().length > 0) {
      line.append(
          Arrays.stream(executable.getTypeParameters())
              .map(Type::getTypeName)
              .collect(Collectors.joining(", ", " <", ">")));
    }
    line.append(' ')
        .append(
            method != null
                ? method.getGenericReturnType().getTypeName() + " " + method.getName()
                : "<init>");
    line.append(
        Arrays.stream(executable.getGenericParameterTypes())
            .map(Type::getTypeName)
            .collect(Collectors.joining(", ", "(", ")")));
    if (executable.getGenericExceptionTypes().length > 0) {
      line.append(" throws ")
          .append(
              Arrays.stream(executable.getGenericExceptionTypes())
                  .map(Type::getTypeName)
                  .collect(Collectors.joining(", ")));
    }
    return line.toString().trim();
  }

  private static Class<?> load(String name, ClassLoader loader) {
    try {
      return Class.forName(name, false, loader);
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(
          "compiled class " + name + " does not load from the test class path", e);
    }
  }
}
