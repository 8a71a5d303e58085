package dev.oomguard.review;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.FieldInsnNode;
import org.objectweb.asm.tree.InsnNode;
import org.objectweb.asm.tree.IntInsnNode;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.analysis.SourceValue;

/**
 * Incident 4, its strongest form only: one Micrometer builder chain ({@code Timer.builder(..)} or
 * {@code DistributionSummary.builder(..)} and the calls made on what it returns, in one method)
 * that both turns on a percentile histogram or SLOs and takes a tag value from data.
 *
 * <p>Turns the histogram on: {@code publishPercentileHistogram()}, {@code
 * publishPercentileHistogram(true)}, {@code serviceLevelObjectives(..)} or {@code sla(..)} over
 * values the method lists itself, on every path through the tag call: a histogram left to a flag
 * ({@code publishPercentileHistogram(options.histogram())}, or the call inside an {@code if}) is
 * the configuration's choice, like a {@code MeterFilter}'s, and is not matched. A tag value from
 * data: the value of {@code tag(k, v)}, of {@code tags("k", v, ...)} or of {@code tags(Tags.of(k,
 * v))} that comes from a parameter, a call or a string concatenation. Constants, static fields and
 * instance fields (a service name set once), {@code name()} (an enum's) and {@code
 * String.valueOf(boolean)} count as bounded. Meters made through {@code registry.timer(name, k, v)}
 * with a histogram turned on by a {@code MeterFilter} elsewhere are not matched: nothing in the
 * method says so.
 */
final class HistogramTagCheck implements Check {
  private static final Set<String> BUILDERS =
      Set.of(
          "io/micrometer/core/instrument/Timer$Builder",
          "io/micrometer/core/instrument/DistributionSummary$Builder");
  private static final Set<String> METERS =
      Set.of(
          "io/micrometer/core/instrument/Timer",
          "io/micrometer/core/instrument/DistributionSummary");
  private static final String TAGS = "io/micrometer/core/instrument/Tags";

  @Override
  public Rule rule() {
    return Rule.HISTOGRAM_TAG_FROM_DATA;
  }

  @Override
  public boolean mayMatch(MethodNode method) {
    for (AbstractInsnNode insn : method.instructions) {
      if (insn instanceof MethodInsnNode call
          && BUILDERS.contains(call.owner)
          && enablesHistogramByName(call)) {
        return true;
      }
    }
    return false;
  }

  private static boolean enablesHistogramByName(MethodInsnNode call) {
    return call.name.equals("publishPercentileHistogram")
        || call.name.equals("serviceLevelObjectives")
        || call.name.equals("sla");
  }

  @Override
  public void check(MethodFlow flow, Sink sink) {
    // Union-find over the chain: each builder call joins the calls (or builder()) it was made on.
    Map<AbstractInsnNode, AbstractInsnNode> parent = new HashMap<>();
    List<MethodInsnNode> calls = new ArrayList<>();
    for (AbstractInsnNode insn : flow.insns) {
      if (insn instanceof MethodInsnNode call && flow.reachable(insn)) {
        if (BUILDERS.contains(call.owner) && call.getOpcode() != Opcodes.INVOKESTATIC) {
          calls.add(call);
          parent.putIfAbsent(call, call);
          for (AbstractInsnNode origin : flow.receiver(call).insns) {
            if (isChainLink(origin)) {
              parent.putIfAbsent(origin, origin);
              union(parent, origin, call);
            }
          }
        }
      }
    }
    Map<AbstractInsnNode, BitSet> histogramCalls = new HashMap<>();
    for (MethodInsnNode call : calls) {
      if (enablesHistogram(flow, call)) {
        histogramCalls.computeIfAbsent(find(parent, call), k -> new BitSet()).set(flow.index(call));
      }
    }
    if (histogramCalls.isEmpty()) {
      return;
    }
    for (MethodInsnNode call : calls) {
      BitSet histogram = histogramCalls.get(find(parent, call));
      if (histogram == null) {
        continue;
      }
      String key = dataTagKey(flow, call);
      if (key != null && !avoidable(flow, flow.index(call), histogram)) {
        sink.report(
            Rule.HISTOGRAM_TAG_FROM_DATA,
            call,
            "Tag "
                + key
                + " takes its value from data on a meter that publishes a percentile histogram or"
                + " SLOs, so every new value adds a full set of bucket series.");
      }
    }
  }

  /**
   * Whether some path from the method's entry through the tag call to a normal return passes none
   * of the chain's histogram calls: then the histogram is the configuration's choice (an {@code if
   * (options.histogram())}), which this rule leaves alone like a {@code MeterFilter}.
   */
  private static boolean avoidable(MethodFlow flow, int tag, BitSet histogram) {
    int size = flow.insns.size();
    BitSet before = new BitSet(size); // reached without the tag call yet
    BitSet after = new BitSet(size); // reached through the tag call
    Deque<long[]> work = new ArrayDeque<>();
    work.push(new long[] {0, 0});
    before.set(0);
    while (!work.isEmpty()) {
      long[] state = work.pop();
      int index = (int) state[0];
      boolean passed = state[1] == 1 || index == tag;
      int opcode = flow.insns.get(index).getOpcode();
      if (passed && opcode >= Opcodes.IRETURN && opcode <= Opcodes.RETURN) {
        return true;
      }
      BitSet next = flow.successors(index);
      for (int s = next.nextSetBit(0); s >= 0; s = next.nextSetBit(s + 1)) {
        if (histogram.get(s)) {
          continue; // this path turns the histogram on
        }
        BitSet seen = passed ? after : before;
        if (!seen.get(s)) {
          seen.set(s);
          work.push(new long[] {s, passed ? 1 : 0});
        }
      }
    }
    return false;
  }

  private static boolean isChainLink(AbstractInsnNode origin) {
    return origin instanceof MethodInsnNode call
        && (BUILDERS.contains(call.owner)
            || (METERS.contains(call.owner)
                && call.getOpcode() == Opcodes.INVOKESTATIC
                && call.name.equals("builder")));
  }

  private static AbstractInsnNode find(
      Map<AbstractInsnNode, AbstractInsnNode> parent, AbstractInsnNode x) {
    AbstractInsnNode root = x;
    for (AbstractInsnNode up; (up = parent.get(root)) != null && up != root; ) {
      root = up;
    }
    return root;
  }

  private static void union(
      Map<AbstractInsnNode, AbstractInsnNode> parent, AbstractInsnNode a, AbstractInsnNode b) {
    AbstractInsnNode ra = find(parent, a);
    AbstractInsnNode rb = find(parent, b);
    if (ra != rb) {
      parent.put(rb, ra);
    }
  }

  private static boolean enablesHistogram(MethodFlow flow, MethodInsnNode call) {
    if (!enablesHistogramByName(call)) {
      return false;
    }
    if (call.name.equals("publishPercentileHistogram")) {
      return !call.desc.startsWith("(Ljava/lang/Boolean;)") || isTrue(flow, flow.argument(call, 0));
    }
    // SLOs: on when the method builds them itself, not when they come from configuration.
    SourceValue slos = flow.argument(call, 0);
    return !slos.insns.isEmpty()
        && slos.insns.stream()
            .allMatch(i -> i.getOpcode() == Opcodes.NEWARRAY || i.getOpcode() == Opcodes.ANEWARRAY);
  }

  /** {@code Boolean.TRUE} or a boxed {@code true} (what javac makes of it). */
  private static boolean isTrue(MethodFlow flow, SourceValue value) {
    if (value.insns.isEmpty()) {
      return false;
    }
    for (AbstractInsnNode origin : value.insns) {
      boolean constantTrue =
          (origin instanceof FieldInsnNode field
                  && field.owner.equals("java/lang/Boolean")
                  && field.name.equals("TRUE"))
              || (origin instanceof MethodInsnNode box
                  && box.owner.equals("java/lang/Boolean")
                  && box.name.equals("valueOf")
                  && box.desc.equals("(Z)Ljava/lang/Boolean;")
                  && !flow.argument(box, 0).insns.isEmpty()
                  && flow.argument(box, 0).insns.stream()
                      .allMatch(i -> i.getOpcode() == Opcodes.ICONST_1));
      if (!constantTrue) {
        return false;
      }
    }
    return true;
  }

  /** The tag key (quoted, or "with a computed key") when this call tags with a data value. */
  private static @Nullable String dataTagKey(MethodFlow flow, MethodInsnNode call) {
    if (call.name.equals("tag") && call.desc.startsWith("(Ljava/lang/String;Ljava/lang/String;)")) {
      return fromData(flow.argument(call, 1)) ? key(flow.argument(call, 0)) : null;
    }
    if (call.name.equals("tags") && call.desc.startsWith("([Ljava/lang/String;)")) {
      return dataInKeyValues(flow, flow.argument(call, 0));
    }
    if (call.name.equals("tags") && call.desc.startsWith("(Ljava/lang/Iterable;)")) {
      for (AbstractInsnNode origin : flow.argument(call, 0).insns) {
        if (origin instanceof MethodInsnNode of
            && of.owner.equals(TAGS)
            && of.name.equals("of")
            && of.getOpcode() == Opcodes.INVOKESTATIC) {
          if (of.desc.startsWith("(Ljava/lang/String;Ljava/lang/String;)")
              && fromData(flow.argument(of, 1))) {
            return key(flow.argument(of, 0));
          }
          if (of.desc.startsWith("([Ljava/lang/String;)")) {
            String key = dataInKeyValues(flow, flow.argument(of, 0));
            if (key != null) {
              return key;
            }
          }
        }
      }
    }
    return null;
  }

  /** For a {@code String...} of keys and values: the key of the first value from data. */
  private static @Nullable String dataInKeyValues(MethodFlow flow, SourceValue array) {
    for (AbstractInsnNode insn : flow.insns) {
      if (insn.getOpcode() != Opcodes.AASTORE || !flow.reachable(insn)) {
        continue;
      }
      if (!intersects(flow.stack(insn, 2), array)) {
        continue;
      }
      Integer index = constantInt(flow.stack(insn, 1));
      if (index != null && index % 2 == 1 && fromData(flow.stack(insn, 0))) {
        return "at position " + index;
      }
    }
    return null;
  }

  private static boolean intersects(SourceValue a, SourceValue b) {
    for (AbstractInsnNode x : a.insns) {
      if (x.getOpcode() == Opcodes.ANEWARRAY && b.insns.contains(x)) {
        return true;
      }
    }
    return false;
  }

  private static @Nullable Integer constantInt(SourceValue value) {
    if (value.insns.size() != 1) {
      return null;
    }
    AbstractInsnNode insn = value.insns.iterator().next();
    int opcode = insn.getOpcode();
    if (opcode >= Opcodes.ICONST_0 && opcode <= Opcodes.ICONST_5) {
      return opcode - Opcodes.ICONST_0;
    }
    if (insn instanceof IntInsnNode push
        && (opcode == Opcodes.BIPUSH || opcode == Opcodes.SIPUSH)) {
      return push.operand;
    }
    return null;
  }

  private static String key(SourceValue key) {
    if (key.insns.size() == 1
        && key.insns.iterator().next() instanceof LdcInsnNode ldc
        && ldc.cst instanceof String name) {
      return '"' + name + '"';
    }
    return "with a computed key";
  }

  /** Whether a String value may come from request data rather than from a bounded set. */
  private static boolean fromData(SourceValue value) {
    if (value.insns.isEmpty()) {
      return true; // a parameter
    }
    for (AbstractInsnNode origin : value.insns) {
      if (origin instanceof LdcInsnNode
          || (origin instanceof InsnNode && origin.getOpcode() == Opcodes.ACONST_NULL)
          || origin.getOpcode() == Opcodes.GETSTATIC
          || origin.getOpcode() == Opcodes.GETFIELD) {
        continue;
      }
      if (origin instanceof MethodInsnNode call && bounded(call)) {
        continue;
      }
      return true;
    }
    return false;
  }

  private static boolean bounded(MethodInsnNode call) {
    if (call.name.equals("name") && call.desc.equals("()Ljava/lang/String;")) {
      return true; // an enum constant's name
    }
    return ((call.owner.equals("java/lang/String") && call.name.equals("valueOf"))
            || (call.owner.equals("java/lang/Boolean") && call.name.equals("toString")))
        && call.desc.startsWith("(Z)");
  }
}
