package dev.oomguard.executors;

import java.util.concurrent.ExecutorService;

/**
 * An {@link ExecutorService} whose queue has a fixed capacity. A task that finds the queue full
 * goes to the executor's {@link OverflowPolicy}; it is never queued beyond the capacity. Built by
 * {@link BoundedExecutors}.
 *
 * <p>{@link #shutdownNow()} returns the tasks as they were given (the {@code Runnable} passed to
 * {@code execute}, or the {@code Future} that {@code submit} returned), so none is lost. A task
 * that the executor refuses after shutdown is rejected, and its {@code Future} completes.
 */
public interface BoundedExecutorService extends ExecutorService, AutoCloseable {
  /** Tasks waiting in the queue now (not counting the ones running). */
  int queueSize();

  /** The most tasks the queue holds. */
  int queueCapacity();

  /**
   * The name given to the builder; worker threads are called {@code name-1}, {@code name-2}, ...
   */
  String name();

  /**
   * The contract of {@code ExecutorService.close()} in Java 19 and later, on Java 17 too: shuts
   * down, then waits until every queued and running task has finished, however long that takes. If
   * the caller is interrupted while waiting, it stops the executor as {@link #shutdownNow()} does
   * (the tasks still queued are not run and their {@code Future}s are cancelled), goes on waiting
   * for the running tasks to end, and returns with the caller's interrupt status set. On return the
   * executor is terminated. Calling it again does nothing. For try-with-resources: the code after
   * the block never races a task of the executor.
   */
  @Override
  void close();

  /**
   * A close that gives up: shuts down and waits up to the builder's {@code closeTimeout} for queued
   * and running tasks to finish. If they have not, it calls {@link #shutdownNow()} (which
   * interrupts the running tasks), cancels the {@code Future} of every task that was still queued,
   * counts them as discarded, logs how many, and returns without waiting again. An interrupted
   * caller gets the same at once, and its interrupt status is kept.
   *
   * @return whether the executor had terminated when it returned
   */
  boolean closeWithTimeout();
}
