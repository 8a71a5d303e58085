package dev.oomguard.review;

import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.MethodNode;

/** One rule's matcher over one method. Implementations keep no state between methods. */
interface Check {
  Rule rule();

  /** A cheap look at the instructions: whether the method can match at all. */
  boolean mayMatch(MethodNode method);

  void check(MethodFlow flow, Sink sink);

  /** Where a check reports what it found. */
  interface Sink {
    void report(Rule rule, AbstractInsnNode at, String message);
  }
}
