package dev.oomguard.review;

import java.util.Objects;

/**
 * One place where a rule matched.
 *
 * @param rule the rule
 * @param className the class's binary name with dots, e.g. {@code com.example.Outer$Inner}
 * @param methodName the method's name as in bytecode ({@code <init>}, {@code lambda$run$0}...)
 * @param methodDescriptor the method's JVM descriptor
 * @param sourceFile the source file's name from the class file, or an empty string when the class
 *     was compiled without it
 * @param line the source line, or 0 when the class was compiled without line numbers
 * @param message what was found there, in one sentence
 */
public record Finding(
    Rule rule,
    String className,
    String methodName,
    String methodDescriptor,
    String sourceFile,
    int line,
    String message) {

  public Finding {
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(className, "className");
    Objects.requireNonNull(methodName, "methodName");
    Objects.requireNonNull(methodDescriptor, "methodDescriptor");
    Objects.requireNonNull(sourceFile, "sourceFile");
    Objects.requireNonNull(message, "message");
    if (line < 0) {
      throw new IllegalArgumentException("line must be 0 (unknown) or positive: " + line);
    }
  }

  /**
   * The source path a build tool would use, from the package and the source file name, e.g. {@code
   * com/example/Events.java}; empty when the class has no source file attribute.
   */
  public String sourcePath() {
    if (sourceFile.isEmpty()) {
      return "";
    }
    int dot = className.lastIndexOf('.');
    return dot < 0 ? sourceFile : className.substring(0, dot).replace('.', '/') + '/' + sourceFile;
  }

  /**
   * The location as a stack trace prints it: {@code com.example.Events.start(Events.java:12)}, so
   * that IDE consoles link it.
   */
  public String location() {
    String where;
    if (sourceFile.isEmpty()) {
      where = "Unknown Source";
    } else if (line == 0) {
      where = sourceFile;
    } else {
      where = sourceFile + ':' + line;
    }
    return className + '.' + methodName + '(' + where + ')';
  }

  /** Location, rule, message, incident and fix, on one line. */
  @Override
  public String toString() {
    return location()
        + " ["
        + rule.id()
        + "] "
        + message
        + " This repeats "
        + rule.incident()
        + ". Fix: "
        + rule.fix()
        + '.';
  }
}
