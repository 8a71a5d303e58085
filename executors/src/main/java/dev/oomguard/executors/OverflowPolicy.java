package dev.oomguard.executors;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * What happens to a task that finds the queue full. Called on the submitting thread, only while the
 * executor runs: after shutdown every task is rejected, whatever the policy.
 *
 * <p>No built-in policy leaves a caller waiting forever: a task it drops has its {@link Future}
 * cancelled (when the task is one, as {@code submit} makes it), unlike the JDK's {@code
 * DiscardPolicy}, {@code DiscardOldestPolicy} and {@code CallerRunsPolicy} after shutdown.
 *
 * <p>A policy of your own (to hand the task elsewhere: a store, another executor) gets the task as
 * it was given ({@code submit}'s {@code Future} or {@code execute}'s {@code Runnable}) and the
 * executor. Return normally when the task is taken care of; throw (a {@link TaskRejectedException}
 * or any runtime exception) to refuse it, and the executor counts it rejected, cancels its {@code
 * Future} and lets the exception reach the caller. A policy that returns without running or keeping
 * the task has dropped it: that is then its own business to report. A built-in policy may be called
 * from yours as a fallback, with the same executor.
 */
@FunctionalInterface
public interface OverflowPolicy {
  /**
   * Deals with {@code task}, which found the queue of {@code executor} full.
   *
   * @param task the task as the caller gave it
   * @param executor the executor whose queue is full
   */
  void onOverflow(Runnable task, BoundedExecutorService executor);

  /**
   * Throws {@link TaskRejectedException}, naming the executor, its queue size and capacity. The
   * default.
   */
  static OverflowPolicy reject() {
    return OverflowPolicies.Reject.INSTANCE;
  }

  /**
   * Runs the task on the submitting thread: backpressure that slows the producer to the pool's
   * pace.
   */
  static OverflowPolicy callerRuns() {
    return OverflowPolicies.CallerRuns.INSTANCE;
  }

  /**
   * Drops the task being submitted, cancels its {@code Future}, and passes it to {@code onDiscard}.
   */
  static OverflowPolicy discardNewest(Consumer<Runnable> onDiscard) {
    return new OverflowPolicies.DiscardNewest(Objects.requireNonNull(onDiscard, "onDiscard"));
  }

  /**
   * Drops the task that has waited longest, cancels its {@code Future}, passes it to {@code
   * onDiscard}, and queues the new one in its place.
   */
  static OverflowPolicy discardOldest(Consumer<Runnable> onDiscard) {
    return new OverflowPolicies.DiscardOldest(Objects.requireNonNull(onDiscard, "onDiscard"));
  }

  /**
   * Makes the submitter wait up to {@code maxWait} for room in the queue (backpressure), then
   * rejects as {@link #reject()} does. An interrupted submitter is rejected at once, its interrupt
   * status kept.
   *
   * @throws IllegalArgumentException if {@code maxWait} is negative
   * @throws NullPointerException if {@code maxWait} is null
   */
  static OverflowPolicy block(Duration maxWait) {
    Objects.requireNonNull(maxWait, "maxWait");
    return new OverflowPolicies.Block(Require.notNegative("maxWait", maxWait));
  }
}
