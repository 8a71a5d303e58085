package dev.oomguard.executors;

import java.time.Duration;
import java.util.function.Consumer;

/** The built-in policies. They work on the executor's queue directly, so only with our executors. */
final class OverflowPolicies {
  private OverflowPolicies() {}

  abstract static class BuiltIn implements OverflowPolicy {
    /** The executor's own path: the task keeps its submit time. */
    abstract void overflow(BoundedThreadPool.QueuedTask task, BoundedThreadPool pool);

    /** The path of a user's policy that falls back to this one. */
    @Override
    public final void onOverflow(Runnable task, BoundedExecutorService executor) {
      if (!(executor instanceof BoundedThreadPool)) {
        throw new IllegalArgumentException("built-in overflow policies work only with executors from"
            + " BoundedExecutors, not " + executor.getClass().getName());
      }
      BoundedThreadPool pool = (BoundedThreadPool) executor;
      overflow(pool.wrap(task), pool);
    }
  }

  static final class Reject extends BuiltIn {
    static final Reject INSTANCE = new Reject();

    @Override
    void overflow(BoundedThreadPool.QueuedTask task, BoundedThreadPool pool) {
      throw pool.reject(task);
    }

    @Override
    public String toString() {
      return "reject";
    }
  }

  static final class CallerRuns extends BuiltIn {
    static final CallerRuns INSTANCE = new CallerRuns();

    @Override
    void overflow(BoundedThreadPool.QueuedTask task, BoundedThreadPool pool) {
      task.runOnCaller();
    }

    @Override
    public String toString() {
      return "callerRuns";
    }
  }

  static final class DiscardNewest extends BuiltIn {
    private final Consumer<Runnable> onDiscard;

    DiscardNewest(Consumer<Runnable> onDiscard) {
      this.onDiscard = onDiscard;
    }

    @Override
    void overflow(BoundedThreadPool.QueuedTask task, BoundedThreadPool pool) {
      pool.discard(task, onDiscard);
    }

    @Override
    public String toString() {
      return "discardNewest";
    }
  }

  static final class DiscardOldest extends BuiltIn {
    private final Consumer<Runnable> onDiscard;

    DiscardOldest(Consumer<Runnable> onDiscard) {
      this.onDiscard = onDiscard;
    }

    @Override
    void overflow(BoundedThreadPool.QueuedTask task, BoundedThreadPool pool) {
      if (!task.canEverBeQueued()) {
        // Heavier than the whole weight bound: emptying the queue would not make room.
        pool.discard(task, onDiscard);
        return;
      }
      while (!pool.offer(task)) {
        BoundedThreadPool.QueuedTask oldest = pool.pollOldest();
        if (oldest != null) {
          pool.discard(oldest, onDiscard);
        } else {
          // The weight is held by a task handed to a worker that has not started it yet.
          Thread.onSpinWait();
        }
      }
    }

    @Override
    public String toString() {
      return "discardOldest";
    }
  }

  static final class Block extends BuiltIn {
    private final Duration maxWait;
    private final long maxWaitNanos;

    Block(Duration maxWait) {
      this.maxWait = maxWait;
      this.maxWaitNanos = BoundedExecutors.saturatedNanos(maxWait);
    }

    @Override
    void overflow(BoundedThreadPool.QueuedTask task, BoundedThreadPool pool) {
      try {
        if (!pool.offer(task, maxWaitNanos)) {
          throw pool.reject(task);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw pool.reject(task);
      }
    }

    @Override
    public String toString() {
      return "block(" + maxWait + ")";
    }
  }
}
