package dev.oomguard.executors;

import java.time.Duration;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The built-in policies. They work on the executor's queue directly, so only with our executors.
 */
final class OverflowPolicies {
  private OverflowPolicies() {}

  /**
   * What a built-in policy may do with a pool whose queue it found full. It deals in the pool's
   * queue entries (see {@link QueueEntries}), and each method keeps the pool's counts right.
   */
  interface FullPool {
    /** Queues the entry if there is room now; false if there is none or the pool is shut down. */
    boolean offer(Runnable entry);

    /** Waits up to the timeout for room; false if none came or the pool shut down meanwhile. */
    boolean offer(Runnable entry, long timeoutNanos) throws InterruptedException;

    /** Takes the oldest entry off the queue; null if it is empty. */
    @Nullable Runnable pollOldest();

    /** False if the entry weighs more than the whole weight bound: no room will ever come. */
    boolean canEverBeQueued(Runnable entry);

    boolean isShutdown();

    /**
     * Counts the entry rejected, cancels its Future, and returns the exception for the caller to
     * throw.
     */
    TaskRejectedException reject(Runnable entry);

    /** Counts the entry discarded, cancels its Future, and shows it to {@code onDiscard}. */
    void discard(Runnable entry, Consumer<Runnable> onDiscard);

    /**
     * Runs the entry's task on the calling thread, counted as completed; what it throws reaches the
     * caller.
     */
    void runOnCaller(Runnable entry);
  }

  abstract static class BuiltIn implements OverflowPolicy {
    /** The executor's own path: the entry keeps its submit time. */
    abstract void overflow(Runnable entry, FullPool pool);

    /** The path of a user's policy that falls back to this one. */
    @Override
    public final void onOverflow(Runnable task, BoundedExecutorService executor) {
      if (!(executor instanceof BoundedThreadPool pool)) {
        throw new IllegalArgumentException(
            "built-in overflow policies work only with executors from"
                + " BoundedExecutors, not "
                + executor.getClass().getName());
      }
      pool.overflow(this, task);
    }
  }

  static final class Reject extends BuiltIn {
    static final Reject INSTANCE = new Reject();

    @Override
    void overflow(Runnable entry, FullPool pool) {
      throw pool.reject(entry);
    }

    @Override
    public String toString() {
      return "reject";
    }
  }

  static final class CallerRuns extends BuiltIn {
    static final CallerRuns INSTANCE = new CallerRuns();

    @Override
    void overflow(Runnable entry, FullPool pool) {
      pool.runOnCaller(entry);
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
    void overflow(Runnable entry, FullPool pool) {
      pool.discard(entry, onDiscard);
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
    void overflow(Runnable entry, FullPool pool) {
      if (!pool.canEverBeQueued(entry)) {
        // Heavier than the whole weight bound: emptying the queue would not make room.
        pool.discard(entry, onDiscard);
        return;
      }
      // Ends: each round either queues the entry, or takes one off the queue, or finds it empty
      // (then the entry fits, unless the pool shut down).
      while (!pool.offer(entry)) {
        if (pool.isShutdown()) {
          throw pool.reject(entry);
        }
        Runnable oldest = pool.pollOldest();
        if (oldest != null) {
          pool.discard(oldest, onDiscard);
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
    void overflow(Runnable entry, FullPool pool) {
      try {
        if (!pool.offer(entry, maxWaitNanos)) {
          throw pool.reject(entry);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw pool.reject(entry);
      }
    }

    @Override
    public String toString() {
      return "block(" + maxWait + ")";
    }
  }
}
