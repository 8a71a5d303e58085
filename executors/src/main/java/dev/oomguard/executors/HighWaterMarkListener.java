package dev.oomguard.executors;

/**
 * Told when an executor's queue crosses its high-water mark: once when the queue fills up to the
 * mark, and once when it falls back below it. It is not told again while the queue stays on the
 * same side, so it suits autoscaling hooks and alerts.
 *
 * <p>Called on the thread whose submit or take made the crossing, one call at a time and in the
 * order of the crossings. Keep it short; an exception it throws is logged and otherwise ignored.
 */
@FunctionalInterface
public interface HighWaterMarkListener {
  /**
   * The queue crossed the mark, up to it or back below it.
   *
   * @param executor the executor whose queue crossed the mark
   * @param above true when the queue reached the mark, false when it fell back below it
   */
  void onCrossing(BoundedExecutorService executor, boolean above);
}
