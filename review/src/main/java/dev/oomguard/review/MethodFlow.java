package dev.oomguard.review;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.LineNumberNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TryCatchBlockNode;
import org.objectweb.asm.tree.TypeInsnNode;
import org.objectweb.asm.tree.analysis.Analyzer;
import org.objectweb.asm.tree.analysis.AnalyzerException;
import org.objectweb.asm.tree.analysis.Frame;
import org.objectweb.asm.tree.analysis.SourceInterpreter;
import org.objectweb.asm.tree.analysis.SourceValue;

/**
 * One method's control flow and, for every instruction, where each value on the stack and in the
 * locals may have come from.
 *
 * <p>ASM's {@link SourceInterpreter} names the instruction that produced a value; this one sees
 * through loads, stores, {@code dup}s and casts, so that the origin of a value read back from a
 * local is the {@code new} or the call that made it, not the {@code aload}. A value's origins are
 * every instruction that may have produced it on some path (a merge is their union); an empty set
 * means it came from outside the method (a parameter, {@code this}).
 */
final class MethodFlow {
  final InsnList insns;
  private final String sourceFile;
  private final Frame<SourceValue>[] frames;
  private final Map<AbstractInsnNode, MethodInsnNode> constructorOf;
  private final List<BitSet> successors;
  private final List<BitSet> handlers;

  /** Instructions inside a handler that catches everything (finally, catch Throwable). */
  private final BitSet caughtByAll;

  private MethodFlow(
      String sourceFile,
      MethodNode method,
      Frame<SourceValue>[] frames,
      Map<AbstractInsnNode, MethodInsnNode> constructorOf,
      List<BitSet> successors,
      List<BitSet> handlers,
      BitSet caughtByAll) {
    this.sourceFile = sourceFile;
    this.insns = method.instructions;
    this.frames = frames;
    this.constructorOf = constructorOf;
    this.successors = successors;
    this.handlers = handlers;
    this.caughtByAll = caughtByAll;
  }

  /**
   * @param owner the class's internal name
   * @param sourceFile the class's source file name, or an empty string when it has none
   */
  static MethodFlow analyze(String owner, String sourceFile, MethodNode method)
      throws AnalyzerException {
    OriginInterpreter interpreter = new OriginInterpreter();
    int size = method.instructions.size();
    List<BitSet> successors = new ArrayList<>(size);
    List<BitSet> handlers = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      successors.add(new BitSet());
      handlers.add(new BitSet());
    }
    BitSet caughtByAll = new BitSet(size);
    Analyzer<SourceValue> analyzer =
        new Analyzer<>(interpreter) {
          @Override
          protected void newControlFlowEdge(int insn, int successor) {
            successors.get(insn).set(successor);
          }
        };
    Frame<SourceValue>[] frames = analyzer.analyze(owner, method);
    // An exception goes to the first handler in table order that catches it: follow handlers
    // up to the first that catches everything, not the enclosing ones behind it.
    for (int i = 0; i < size; i++) {
      for (TryCatchBlockNode handler : method.tryCatchBlocks) {
        if (method.instructions.indexOf(handler.start) <= i
            && i < method.instructions.indexOf(handler.end)) {
          handlers.get(i).set(method.instructions.indexOf(handler.handler));
          if (handler.type == null || handler.type.equals("java/lang/Throwable")) {
            caughtByAll.set(i);
            break;
          }
        }
      }
    }
    return new MethodFlow(
        sourceFile, method, frames, interpreter.constructorOf, successors, handlers, caughtByAll);
  }

  int index(AbstractInsnNode insn) {
    return insns.indexOf(insn);
  }

  /** Whether control reaches the instruction at all (javac leaves no dead code, others may). */
  boolean reachable(AbstractInsnNode insn) {
    return frames[index(insn)] != null;
  }

  /**
   * The value {@code fromTop} places below the top of the stack just before {@code insn} runs (0 is
   * the top).
   */
  SourceValue stack(AbstractInsnNode insn, int fromTop) {
    Frame<SourceValue> frame = frames[index(insn)];
    return frame.getStack(frame.getStackSize() - 1 - fromTop);
  }

  /** The argument {@code n} (0-based, receiver not counted) of a call, before it runs. */
  SourceValue argument(MethodInsnNode call, int n) {
    int count = Type.getArgumentCount(call.desc);
    return stack(call, count - 1 - n);
  }

  /** The receiver of an instance call, before it runs. */
  SourceValue receiver(MethodInsnNode call) {
    return stack(call, Type.getArgumentCount(call.desc));
  }

  /** The constructor call that initialised the object a {@code new} made, if any path runs it. */
  @Nullable MethodInsnNode constructorOf(TypeInsnNode newInsn) {
    return constructorOf.get(newInsn);
  }

  /** Where control goes next when the instruction completes normally. */
  BitSet successors(int insn) {
    return successors.get(insn);
  }

  /** The handlers whose range covers the instruction (whatever it may throw). */
  BitSet handlers(int insn) {
    return handlers.get(insn);
  }

  /** Whether an exception thrown here is certainly caught in this method. */
  boolean caughtByAll(int insn) {
    return caughtByAll.get(insn);
  }

  /** The source line of an instruction, or 0 when the class has no line numbers. */
  int line(AbstractInsnNode insn) {
    for (AbstractInsnNode at = insn; at != null; at = at.getPrevious()) {
      if (at instanceof LineNumberNode line) {
        return line.line;
      }
    }
    return 0;
  }

  /**
   * Where an instruction is, as a stack trace writes it ({@code (Events.java:38)}), or an empty
   * string without line numbers. The form matters: ArchUnit's freezing ignores the number in it, so
   * a message that names a second line stays frozen when code moves.
   */
  String where(AbstractInsnNode insn) {
    int line = line(insn);
    if (line == 0) {
      return "";
    }
    return " (" + (sourceFile.isEmpty() ? "line" : sourceFile) + ':' + line + ')';
  }

  static boolean isNew(AbstractInsnNode insn, String type) {
    return insn.getOpcode() == Opcodes.NEW && ((TypeInsnNode) insn).desc.equals(type);
  }

  /** See the class comment: origins survive loads, stores, dups and casts. */
  private static final class OriginInterpreter extends SourceInterpreter {
    final Map<AbstractInsnNode, MethodInsnNode> constructorOf = new HashMap<>();

    OriginInterpreter() {
      super(Opcodes.ASM9);
    }

    @Override
    public SourceValue copyOperation(AbstractInsnNode insn, SourceValue value) {
      return value;
    }

    @Override
    public SourceValue unaryOperation(AbstractInsnNode insn, SourceValue value) {
      if (insn.getOpcode() == Opcodes.CHECKCAST) {
        return value;
      }
      return super.unaryOperation(insn, value);
    }

    @Override
    public SourceValue naryOperation(AbstractInsnNode insn, List<? extends SourceValue> values) {
      if (insn instanceof MethodInsnNode call
          && call.getOpcode() == Opcodes.INVOKESPECIAL
          && call.name.equals("<init>")) {
        for (AbstractInsnNode origin : values.get(0).insns) {
          if (origin.getOpcode() == Opcodes.NEW) {
            constructorOf.put(origin, call);
          }
        }
      }
      return super.naryOperation(insn, values);
    }
  }
}
