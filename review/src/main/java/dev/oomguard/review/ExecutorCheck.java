package dev.oomguard.review;

import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TypeInsnNode;
import org.objectweb.asm.tree.analysis.SourceValue;

/**
 * Incident 3. Matches, in any method:
 *
 * <ul>
 *   <li>a call to {@code Executors.newFixedThreadPool}, {@code newSingleThreadExecutor} (queue of
 *       {@code Integer.MAX_VALUE}), {@code newCachedThreadPool}, {@code newThreadPerTaskExecutor}
 *       or {@code newVirtualThreadPerTaskExecutor} (no bound on threads: each waiting task holds a
 *       thread and its stack);
 *   <li>a {@code ThreadPoolExecutor} constructor (a {@code new} or a subclass's {@code super})
 *       whose queue argument is, on some path, a {@code new LinkedBlockingQueue()} or {@code new
 *       LinkedBlockingDeque()} without a capacity, or any {@code LinkedTransferQueue}, {@code
 *       PriorityBlockingQueue} or {@code DelayQueue} (those have no bound at all), or whose maximum
 *       pool size is {@code Integer.MAX_VALUE} over a {@code new SynchronousQueue()} (a cached pool
 *       written by hand);
 *   <li>a {@code new ThreadPoolTaskExecutor()} (Spring) on which the method never calls {@code
 *       setQueueCapacity} with anything but {@code Integer.MAX_VALUE}, unless the method hands it
 *       to another method, which may set it.
 * </ul>
 *
 * A queue that arrives as a parameter or from a field is not followed: the rule reports where the
 * unbounded queue is made, once.
 */
final class ExecutorCheck implements Check {
  private static final String EXECUTORS = "java/util/concurrent/Executors";
  private static final String THREAD_POOL = "java/util/concurrent/ThreadPoolExecutor";
  private static final String SPRING_POOL =
      "org/springframework/scheduling/concurrent/ThreadPoolTaskExecutor";
  private static final Set<String> UNBOUNDED_QUEUE_FACTORIES =
      Set.of("newFixedThreadPool", "newSingleThreadExecutor");
  private static final Set<String> UNBOUNDED_THREAD_FACTORIES =
      Set.of("newCachedThreadPool", "newThreadPerTaskExecutor", "newVirtualThreadPerTaskExecutor");

  /** Queues with no bound whatever the constructor. */
  private static final Set<String> ALWAYS_UNBOUNDED =
      Set.of(
          "java/util/concurrent/LinkedTransferQueue",
          "java/util/concurrent/PriorityBlockingQueue",
          "java/util/concurrent/DelayQueue");

  /** Queues bounded only when given a capacity. */
  private static final Set<String> UNBOUNDED_BY_DEFAULT =
      Set.of(
          "java/util/concurrent/LinkedBlockingQueue", "java/util/concurrent/LinkedBlockingDeque");

  @Override
  public Rule rule() {
    return Rule.UNBOUNDED_EXECUTOR;
  }

  @Override
  public boolean mayMatch(MethodNode method) {
    for (AbstractInsnNode insn : method.instructions) {
      if (insn instanceof MethodInsnNode call
          && (call.owner.equals(EXECUTORS) || call.owner.equals(THREAD_POOL))) {
        return true;
      }
      if (MethodFlow.isNew(insn, SPRING_POOL)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void check(MethodFlow flow, Sink sink) {
    for (AbstractInsnNode insn : flow.insns) {
      if (!flow.reachable(insn)) {
        continue;
      }
      if (insn instanceof MethodInsnNode call) {
        checkCall(flow, call, sink);
      } else if (MethodFlow.isNew(insn, SPRING_POOL)) {
        checkSpringPool(flow, (TypeInsnNode) insn, sink);
      }
    }
  }

  private static void checkCall(MethodFlow flow, MethodInsnNode call, Sink sink) {
    if (call.owner.equals(EXECUTORS) && call.getOpcode() == Opcodes.INVOKESTATIC) {
      if (UNBOUNDED_QUEUE_FACTORIES.contains(call.name)) {
        sink.report(
            Rule.UNBOUNDED_EXECUTOR,
            call,
            "Executors." + call.name + " queues on a LinkedBlockingQueue with no bound.");
      } else if (UNBOUNDED_THREAD_FACTORIES.contains(call.name)) {
        sink.report(
            Rule.UNBOUNDED_EXECUTOR,
            call,
            "Executors."
                + call.name
                + " starts a thread for every task with no bound, so a burst holds a thread and"
                + " its stack per waiting task.");
      }
    } else if (call.owner.equals(THREAD_POOL)
        && call.name.equals("<init>")
        && call.desc.contains("Ljava/util/concurrent/BlockingQueue;")) {
      String queue = unboundedQueue(flow, flow.argument(call, 4));
      if (queue != null) {
        sink.report(
            Rule.UNBOUNDED_EXECUTOR,
            call,
            "ThreadPoolExecutor over a new "
                + queue
                + " with no capacity, so its queue has no bound.");
      } else if (isMaxValue(flow.argument(call, 1)) && handsOff(flow.argument(call, 4))) {
        sink.report(
            Rule.UNBOUNDED_EXECUTOR,
            call,
            "ThreadPoolExecutor with Integer.MAX_VALUE threads over a SynchronousQueue (a cached"
                + " pool by hand) starts a thread for every task with no bound.");
      }
    }
  }

  private static @Nullable String unboundedQueue(MethodFlow flow, SourceValue queue) {
    for (AbstractInsnNode origin : queue.insns) {
      if (origin.getOpcode() != Opcodes.NEW) {
        continue;
      }
      String type = ((TypeInsnNode) origin).desc;
      String simple = type.substring(type.lastIndexOf('/') + 1);
      if (ALWAYS_UNBOUNDED.contains(type)) {
        return simple;
      }
      MethodInsnNode init = flow.constructorOf((TypeInsnNode) origin);
      if (UNBOUNDED_BY_DEFAULT.contains(type)
          && init != null
          && (init.desc.equals("()V") || init.desc.equals("(Ljava/util/Collection;)V"))) {
        return simple;
      }
    }
    return null;
  }

  private static boolean handsOff(SourceValue queue) {
    return !queue.insns.isEmpty()
        && queue.insns.stream()
            .allMatch(i -> MethodFlow.isNew(i, "java/util/concurrent/SynchronousQueue"));
  }

  private static void checkSpringPool(MethodFlow flow, TypeInsnNode created, Sink sink) {
    boolean bounded = false;
    MethodInsnNode maxValue = null;
    for (AbstractInsnNode insn : flow.insns) {
      if (!(insn instanceof MethodInsnNode call) || !flow.reachable(insn)) {
        continue;
      }
      int args = Type.getArgumentCount(call.desc);
      for (int i = 0; i < args; i++) {
        if (flow.argument(call, i).insns.contains(created)) {
          return; // handed on: whoever receives it may set the capacity
        }
      }
      if (call.getOpcode() != Opcodes.INVOKESTATIC
          && !call.name.equals("<init>")
          && call.name.equals("setQueueCapacity")
          && call.desc.equals("(I)V")
          && flow.receiver(call).insns.contains(created)) {
        if (isMaxValue(flow.argument(call, 0))) {
          maxValue = call;
        } else {
          bounded = true;
        }
      }
    }
    if (bounded) {
      return;
    }
    if (maxValue != null) {
      sink.report(
          Rule.UNBOUNDED_EXECUTOR,
          maxValue,
          "ThreadPoolTaskExecutor.setQueueCapacity(Integer.MAX_VALUE) leaves its queue with no bound.");
    } else {
      sink.report(
          Rule.UNBOUNDED_EXECUTOR,
          created,
          "ThreadPoolTaskExecutor left at its default queue capacity (Integer.MAX_VALUE): its queue"
              + " has no bound.");
    }
  }

  private static boolean isMaxValue(SourceValue value) {
    if (value.insns.isEmpty()) {
      return false;
    }
    for (AbstractInsnNode origin : value.insns) {
      if (!(origin instanceof LdcInsnNode ldc
          && Integer.valueOf(Integer.MAX_VALUE).equals(ldc.cst))) {
        return false;
      }
    }
    return true;
  }
}
