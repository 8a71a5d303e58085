package dev.oomguard.executors;

import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link BoundedThreadPool}'s queue holds for a task, chosen once by the builder so that a
 * pool pays only for what its configuration uses: {@link #PLAIN} queues the task as it was given
 * and reads no clock; {@link Tracked} queues a {@link QueuedTask} with the submit time (for expiry
 * and the queue-wait timer) and the weight (for a weight bound). The pool calls these methods with
 * its queue's entries and never looks inside one.
 */
abstract class QueueEntries {
  /** The task itself: no expiry, no timer, no weight. */
  static final QueueEntries PLAIN = new Plain();

  /** The entry for a task given to the pool. */
  abstract Runnable entry(Runnable task);

  /** The task as it was given, for an entry. */
  abstract Runnable task(Runnable entry);

  /** What the entry weighs against the queue's weight bound. */
  abstract long weight(Runnable entry);

  /** Whether entries ever expire, so that a full queue is worth purging. */
  abstract boolean expires();

  /** Whether the entry has waited longer than the pool allows, by the clock now. */
  abstract boolean expired(Runnable entry);

  /**
   * A worker took the entry: true if it is to run, false if it expired. Records its wait in the
   * queue-wait timer when it runs. Reads the clock once.
   */
  abstract boolean start(Runnable entry);

  private static final class Plain extends QueueEntries {
    @Override
    Runnable entry(Runnable task) {
      return task;
    }

    @Override
    Runnable task(Runnable entry) {
      return entry;
    }

    @Override
    long weight(Runnable entry) {
      return 0;
    }

    @Override
    boolean expires() {
      return false;
    }

    @Override
    boolean expired(Runnable entry) {
      return false;
    }

    @Override
    boolean start(Runnable entry) {
      return true;
    }

    @Override
    public String toString() {
      return "plain";
    }
  }

  /**
   * Entries with a submit time and a weight; the clock is read only when expiry or the timer needs
   * it.
   */
  static final class Tracked extends QueueEntries {
    private final String executorName;
    private final LongSupplier nanoTime;

    /** Zero when tasks do not expire. */
    private final long maxQueueWaitNanos;

    private final @Nullable LongConsumer queueWaitRecorder;
    private final @Nullable ToLongFunction<? super Runnable> weigher;
    private final boolean stamped;

    Tracked(
        String executorName,
        LongSupplier nanoTime,
        long maxQueueWaitNanos,
        @Nullable LongConsumer queueWaitRecorder,
        @Nullable ToLongFunction<? super Runnable> weigher) {
      this.executorName = executorName;
      this.nanoTime = nanoTime;
      this.maxQueueWaitNanos = maxQueueWaitNanos;
      this.queueWaitRecorder = queueWaitRecorder;
      this.weigher = weigher;
      this.stamped = maxQueueWaitNanos > 0 || queueWaitRecorder != null;
    }

    @Override
    Runnable entry(Runnable task) {
      long weight = 0;
      if (weigher != null) {
        weight = weigher.applyAsLong(task);
        if (weight < 0) {
          throw new IllegalArgumentException(
              "the weigher of executor '"
                  + executorName
                  + "' gave a negative weight, "
                  + weight
                  + ", for "
                  + task);
        }
      }
      return new QueuedTask(task, stamped ? nanoTime.getAsLong() : 0L, weight);
    }

    @Override
    Runnable task(Runnable entry) {
      return ((QueuedTask) entry).task;
    }

    @Override
    long weight(Runnable entry) {
      return ((QueuedTask) entry).weight;
    }

    @Override
    boolean expires() {
      return maxQueueWaitNanos > 0;
    }

    @Override
    boolean expired(Runnable entry) {
      return expires()
          && nanoTime.getAsLong() - ((QueuedTask) entry).submittedAt > maxQueueWaitNanos;
    }

    @Override
    boolean start(Runnable entry) {
      if (!stamped) {
        return true;
      }
      long waited = nanoTime.getAsLong() - ((QueuedTask) entry).submittedAt;
      if (maxQueueWaitNanos > 0 && waited > maxQueueWaitNanos) {
        return false;
      }
      if (queueWaitRecorder != null) {
        try {
          queueWaitRecorder.accept(waited);
        } catch (RuntimeException | Error e) {
          // A sample lost is better than a task lost: the task still runs.
        }
      }
      return true;
    }

    @Override
    public String toString() {
      return "tracked"
          + (maxQueueWaitNanos > 0 ? ", expiring" : "")
          + (queueWaitRecorder != null ? ", timed" : "")
          + (weigher != null ? ", weighed" : "");
    }
  }

  /** A task in the queue with its submit time and weight; immutable. */
  static final class QueuedTask implements Runnable {
    final Runnable task;
    final long submittedAt;
    final long weight;

    QueuedTask(Runnable task, long submittedAt, long weight) {
      this.task = task;
      this.submittedAt = submittedAt;
      this.weight = weight;
    }

    /** Only the pool's workers run entries, through the pool; this runs the task itself. */
    @Override
    public void run() {
      task.run();
    }

    @Override
    public String toString() {
      return task.toString();
    }
  }
}
