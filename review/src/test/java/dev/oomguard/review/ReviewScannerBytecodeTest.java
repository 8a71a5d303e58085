package dev.oomguard.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/** Class files the fixtures cannot be: newer APIs than release 17, no debug information. */
class ReviewScannerBytecodeTest {
  /** A class whose static method {@code run()} only calls {@code Executors.<factory>()}. */
  private static byte[] callingExecutors(String factory, String descriptor, boolean debug) {
    return callingExecutors(factory, descriptor, debug, 7, 1);
  }

  /**
   * The same with the call at {@code line}, in {@code methods} methods {@code run}, {@code run1},
   * ... (each one call).
   */
  static byte[] callingExecutors(
      String factory, String descriptor, boolean debug, int line, int methods) {
    ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_MAXS | ClassWriter.COMPUTE_FRAMES);
    writer.visit(Opcodes.V21, Opcodes.ACC_PUBLIC, "gen/Pools", null, "java/lang/Object", null);
    if (debug) {
      writer.visitSource("Pools.java", null);
    }
    for (int m = 0; m < methods; m++) {
      MethodVisitor method =
          writer.visitMethod(
              Opcodes.ACC_STATIC, m == 0 ? "run" : "run" + m, "()Ljava/lang/Object;", null, null);
      method.visitCode();
      if (debug) {
        org.objectweb.asm.Label start = new org.objectweb.asm.Label();
        method.visitLabel(start);
        method.visitLineNumber(line + 10 * m, start);
      }
      if (descriptor.startsWith("(Ljava/util/concurrent/ThreadFactory;)")) {
        method.visitInsn(Opcodes.ACONST_NULL);
      }
      method.visitMethodInsn(
          Opcodes.INVOKESTATIC, "java/util/concurrent/Executors", factory, descriptor, false);
      method.visitInsn(Opcodes.ARETURN);
      method.visitMaxs(0, 0);
      method.visitEnd();
    }
    writer.visitEnd();
    return writer.toByteArray();
  }

  @Test
  void scanClass_virtualThreadPerTaskExecutor_isFound() {
    List<Finding> findings =
        ReviewScanner.allRules()
            .scanClass(
                callingExecutors(
                    "newVirtualThreadPerTaskExecutor",
                    "()Ljava/util/concurrent/ExecutorService;",
                    true));

    assertThat(findings)
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.rule()).isEqualTo(Rule.UNBOUNDED_EXECUTOR);
              assertThat(f.location()).isEqualTo("gen.Pools.run(Pools.java:7)");
              assertThat(f.message()).contains("newVirtualThreadPerTaskExecutor");
            });
  }

  @Test
  void scanClass_threadPerTaskExecutorWithoutDebugInformation_isFoundWithoutALine() {
    List<Finding> findings =
        ReviewScanner.allRules()
            .scanClass(
                callingExecutors(
                    "newThreadPerTaskExecutor",
                    "(Ljava/util/concurrent/ThreadFactory;)Ljava/util/concurrent/ExecutorService;",
                    false));

    assertThat(findings)
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.line()).isZero();
              assertThat(f.sourcePath()).isEmpty();
              assertThat(f.location()).isEqualTo("gen.Pools.run(Unknown Source)");
            });
  }

  @Test
  void scanClass_boundedFactory_isNotFound() {
    assertThat(
            ReviewScanner.allRules()
                .scanClass(
                    callingExecutors(
                        "newScheduledThreadPool",
                        "(I)Ljava/util/concurrent/ScheduledExecutorService;",
                        true)))
        .isEmpty();
  }

  @Test
  void scanClass_onlyTheRulesAskedFor() {
    byte[] pools =
        callingExecutors("newCachedThreadPool", "()Ljava/util/concurrent/ExecutorService;", true);

    assertThat(ReviewScanner.of(List.of(Rule.NATIVE_HANDLE_NOT_ENDED)).scanClass(pools)).isEmpty();
    assertThat(ReviewScanner.of(List.of(Rule.UNBOUNDED_EXECUTOR)).scanClass(pools)).hasSize(1);
  }

  @Test
  void of_noRules_failsFast() {
    assertThatThrownBy(() -> ReviewScanner.of(List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least one rule");
  }

  @Test
  void scanClass_truncatedClassFile_failsWithIllegalArgument() {
    byte[] whole =
        callingExecutors("newCachedThreadPool", "()Ljava/util/concurrent/ExecutorService;", true);
    byte[] half = java.util.Arrays.copyOf(whole, whole.length / 2);

    assertThatThrownBy(() -> ReviewScanner.allRules().scanClass(half))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("not a readable class file");
  }
}
