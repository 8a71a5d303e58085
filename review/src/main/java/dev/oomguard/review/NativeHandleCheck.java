package dev.oomguard.review;

import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.Deque;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.InvokeDynamicInsnNode;
import org.objectweb.asm.tree.JumpInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TypeInsnNode;

/**
 * Incident 1. For each {@code new Deflater}, {@code Inflater}, {@code GZIPOutputStream}, {@code
 * GZIPInputStream}, {@code DeflaterOutputStream} or {@code InflaterInputStream} in a method,
 * follows every path from the end of its constructor to the method's exits, normal and exceptional,
 * and matches when one reaches an exit without releasing it.
 *
 * <p>Released: {@code end()} or {@code close()} called on it (for a stream, {@code close()} only:
 * {@code finish()} writes the trailer but does not end the {@code Deflater}, the incident's very
 * bug). Handed on, and so no longer this method's to release: passed as an argument (wrapped in
 * another stream, given to a method that closes it, captured by a lambda), stored in a field or an
 * array, or returned. Exceptional exits: any call or {@code athrow} not covered by a handler that
 * catches everything, since a call that throws leaves the method there; calls and throws are also
 * the only instructions followed into a handler. Calls that fail only on a programming error (the
 * handle's own bookkeeping such as {@code setInput} and {@code deflate}, {@code
 * ByteArrayOutputStream}, buffer positions, writing a compressing stream into a {@code
 * ByteArrayOutputStream}) are not taken as exits. Where the handle is tested against {@code null}
 * (the {@code finally { if (d != null) d.end(); }} idiom), only the non-null branch is followed: on
 * a path that made it, it is not null.
 *
 * <p>Not matched: a handle kept in a field and never ended by the class (that needs the object's
 * lifecycle, not one method's paths), and a handle leaked by the JDK's own constructors (the {@code
 * GZIPInputStream} header check, JDK-8210471): the code calling it cannot release what it never
 * received.
 */
final class NativeHandleCheck implements Check {
  /** Internal name to the name the message uses; the streams' release is close(). */
  private static final Map<String, String> HANDLES =
      Map.of(
          "java/util/zip/Deflater", "Deflater",
          "java/util/zip/Inflater", "Inflater",
          "java/util/zip/GZIPOutputStream", "GZIPOutputStream",
          "java/util/zip/GZIPInputStream", "GZIPInputStream",
          "java/util/zip/DeflaterOutputStream", "DeflaterOutputStream",
          "java/util/zip/InflaterInputStream", "InflaterInputStream");

  /** Calls on a compressing stream that write into memory when its sink is a byte array. */
  private static final Set<String> INTO_MEMORY = Set.of("write", "flush", "finish");

  /** A Deflater's or Inflater's calls that fail only on bad arguments. */
  private static final Set<String> HANDLE_BOOKKEEPING =
      Set.of(
          "setInput",
          "setLevel",
          "setStrategy",
          "setDictionary",
          "finish",
          "finished",
          "needsInput",
          "needsDictionary",
          "getRemaining",
          "getAdler",
          "getTotalIn",
          "getTotalOut",
          "getBytesRead",
          "getBytesWritten",
          "reset",
          "deflate");

  /** A buffer's calls that fail only on bad arguments or a buffer of the wrong kind. */
  private static final Set<String> BUFFER_BOOKKEEPING =
      Set.of(
          "hasArray",
          "array",
          "arrayOffset",
          "position",
          "limit",
          "remaining",
          "hasRemaining",
          "capacity",
          "order",
          "flip",
          "clear",
          "rewind",
          "mark");

  @Override
  public Rule rule() {
    return Rule.NATIVE_HANDLE_NOT_ENDED;
  }

  @Override
  public boolean mayMatch(MethodNode method) {
    for (AbstractInsnNode insn : method.instructions) {
      if (insn.getOpcode() == Opcodes.NEW && HANDLES.containsKey(((TypeInsnNode) insn).desc)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void check(MethodFlow flow, Sink sink) {
    for (AbstractInsnNode insn : flow.insns) {
      if (insn.getOpcode() == Opcodes.NEW
          && HANDLES.containsKey(((TypeInsnNode) insn).desc)
          && flow.reachable(insn)) {
        TypeInsnNode created = (TypeInsnNode) insn;
        MethodInsnNode init = flow.constructorOf(created);
        if (init == null || !init.owner.equals(created.desc)) {
          continue; // the constructor always throws, or is not the handle's own: nothing to end
        }
        AbstractInsnNode leak = leakingExit(flow, created, init);
        if (leak != null) {
          sink.report(Rule.NATIVE_HANDLE_NOT_ENDED, created, message(flow, created, leak));
        }
      }
    }
  }

  /** The simple name of the handle {@code created} makes; only handle types are ever tracked. */
  private static String handleType(TypeInsnNode created) {
    return Objects.requireNonNull(HANDLES.get(created.desc), created.desc);
  }

  private static String message(MethodFlow flow, TypeInsnNode created, AbstractInsnNode exit) {
    String type = handleType(created);
    String release = type.endsWith("Stream") ? "close()" : "end()";
    String at = flow.where(exit);
    String how;
    if (exit instanceof MethodInsnNode call) {
      how = "when " + simpleName(call.owner) + '.' + call.name + "()" + at + " throws";
    } else if (exit.getOpcode() == Opcodes.ATHROW) {
      how = "on the throw" + at;
    } else {
      how = "on the return" + at;
    }
    return "new " + type + " is left without " + release + ' ' + how + '.';
  }

  private static String simpleName(String internalName) {
    return internalName.substring(internalName.lastIndexOf('/') + 1);
  }

  /** The first exit found that a path reaches with the handle still held, or null. */
  private static @Nullable AbstractInsnNode leakingExit(
      MethodFlow flow, TypeInsnNode created, MethodInsnNode init) {
    BitSet seen = new BitSet(flow.insns.size());
    Deque<Integer> work = new ArrayDeque<>();
    // The path starts once the constructor has returned; if it throws there is nothing to end.
    int start = flow.index(init);
    work.push(start + 1);
    seen.set(start + 1);
    while (!work.isEmpty()) {
      int index = work.pop();
      AbstractInsnNode insn = flow.insns.get(index);
      if (!flow.reachable(insn)) {
        continue;
      }
      if (releasesOrHandsOn(flow, insn, created)) {
        continue;
      }
      int opcode = insn.getOpcode();
      if (opcode >= Opcodes.IRETURN && opcode <= Opcodes.RETURN) {
        return insn;
      }
      boolean throwing =
          opcode == Opcodes.ATHROW
              || (insn instanceof MethodInsnNode call
                  && !failsOnlyOnProgrammingErrors(flow, call, created));
      if (throwing && !flow.caughtByAll(index)) {
        return insn;
      }
      BitSet next = (BitSet) flow.successors(index).clone();
      if (throwing) {
        // Only calls and throws are followed into handlers: a load or a store inside a try
        // does not throw, and following it would invent paths javac's code never takes.
        next.or(flow.handlers(index));
      }
      if (insn instanceof JumpInsnNode jump
          && (opcode == Opcodes.IFNULL || opcode == Opcodes.IFNONNULL)
          && flow.stack(insn, 0).insns.contains(created)) {
        int target = flow.index(jump.label);
        if (opcode == Opcodes.IFNULL) {
          next.clear(target); // null branch: not this handle's path
          next.set(index + 1);
        } else {
          next.clear(index + 1);
          next.set(target);
        }
      }
      for (int s = next.nextSetBit(0); s >= 0; s = next.nextSetBit(s + 1)) {
        if (!seen.get(s)) {
          seen.set(s);
          work.push(s);
        }
      }
    }
    return null;
  }

  /**
   * Calls that throw only when the calling code is wrong (a null, an offset out of range), not
   * because of the data or the I/O: a path through their exception is not a path the code's authors
   * have to write a finally for, and reporting it would bury the real ones. Not here: {@code
   * Inflater.inflate} (bad input throws), every stream's {@code read}/{@code write}.
   */
  private static boolean failsOnlyOnProgrammingErrors(
      MethodFlow flow, MethodInsnNode call, TypeInsnNode created) {
    if (INTO_MEMORY.contains(call.name)
        && call.getOpcode() != Opcodes.INVOKESTATIC
        && writesIntoMemory(flow, created)
        && flow.receiver(call).insns.contains(created)) {
      return true; // compressing into a ByteArrayOutputStream: no I/O to fail
    }
    return switch (call.owner) {
      case "java/util/zip/Deflater", "java/util/zip/Inflater" ->
          HANDLE_BOOKKEEPING.contains(call.name)
              && call.getOpcode() != Opcodes.INVOKESTATIC
              && flow.receiver(call).insns.contains(created);
      case "java/io/ByteArrayOutputStream" -> !call.name.equals("writeTo");
      case "java/nio/Buffer", "java/nio/ByteBuffer" -> BUFFER_BOOKKEEPING.contains(call.name);
      case "java/util/Arrays" -> call.name.startsWith("copyOf") || call.name.equals("fill");
      case "java/lang/System" -> call.name.equals("arraycopy");
      case "java/util/Objects" -> call.name.equals("requireNonNull");
      default -> false;
    };
  }

  /** A GZIP or deflater output stream made here over a {@code new ByteArrayOutputStream}. */
  private static boolean writesIntoMemory(MethodFlow flow, TypeInsnNode created) {
    if (!created.desc.endsWith("OutputStream")) {
      return false;
    }
    MethodInsnNode init = flow.constructorOf(created);
    if (init == null || !init.desc.startsWith("(Ljava/io/OutputStream;")) {
      return false;
    }
    Set<AbstractInsnNode> sink = flow.argument(init, 0).insns;
    return !sink.isEmpty()
        && sink.stream().allMatch(i -> MethodFlow.isNew(i, "java/io/ByteArrayOutputStream"));
  }

  private static boolean releasesOrHandsOn(
      MethodFlow flow, AbstractInsnNode insn, TypeInsnNode created) {
    switch (insn.getOpcode()) {
      case Opcodes.ARETURN, Opcodes.PUTSTATIC, Opcodes.AASTORE -> {
        return flow.stack(insn, 0).insns.contains(created);
      }
      case Opcodes.PUTFIELD -> {
        return flow.stack(insn, 0).insns.contains(created);
      }
      default -> {
        // handled below
      }
    }
    if (insn instanceof MethodInsnNode call) {
      int args = Type.getArgumentCount(call.desc);
      for (int i = 0; i < args; i++) {
        if (flow.argument(call, i).insns.contains(created)) {
          return true;
        }
      }
      if (call.getOpcode() != Opcodes.INVOKESTATIC
          && call.desc.equals("()V")
          && (call.name.equals("close") || call.name.equals("end"))
          && flow.receiver(call).insns.contains(created)) {
        return call.name.equals("close") || !handleType(created).endsWith("Stream");
      }
      return false;
    }
    if (insn instanceof InvokeDynamicInsnNode indy) {
      int args = Type.getArgumentCount(indy.desc);
      for (int i = 0; i < args; i++) {
        if (flow.stack(insn, args - 1 - i).insns.contains(created)) {
          return true;
        }
      }
    }
    return false;
  }
}
