package dev.oomguard.executors;

import java.lang.System.Logger.Level;

/**
 * Tells a {@link HighWaterMarkListener} when an executor's queue crosses its mark: on each
 * crossing, in order, and only on a crossing. The owner calls {@link #check} after anything that
 * may have moved the queue's size; checks that find no crossing cost a volatile read.
 */
final class HighWaterMark {
  private static final System.Logger LOG = System.getLogger(BoundedExecutorService.class.getName());

  private final BoundedExecutorService executor;
  private final int threshold;
  private final HighWaterMarkListener listener;
  private volatile boolean above;

  /** The mark is {@code fraction} of the executor's capacity, rounded up, and at least one task. */
  HighWaterMark(BoundedExecutorService executor, double fraction, HighWaterMarkListener listener) {
    this.executor = executor;
    this.threshold = Math.max(1, (int) Math.ceil(fraction * executor.queueCapacity()));
    this.listener = listener;
  }

  int threshold() {
    return threshold;
  }

  /**
   * {@code size} is the queue's size as the caller saw it; a crossing is confirmed under the lock.
   */
  void check(int size) {
    if ((size >= threshold) == above) {
      return;
    }
    synchronized (this) {
      // Re-read under the lock, so that racing threads agree on the order of crossings.
      boolean nowAbove = executor.queueSize() >= threshold;
      if (nowAbove == above) {
        return;
      }
      above = nowAbove;
      try {
        listener.onCrossing(executor, nowAbove);
      } catch (RuntimeException e) {
        LOG.log(
            Level.WARNING,
            "the high-water-mark listener of executor '" + executor.name() + "' failed",
            e);
      }
    }
  }
}
