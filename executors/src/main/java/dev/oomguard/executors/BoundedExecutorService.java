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

  /** The name given to the builder; worker threads are called {@code name-1}, {@code name-2}, ... */
  String name();

  /**
   * Shuts down and waits up to the builder's {@code closeTimeout} for queued and running tasks to
   * finish. If they have not, it calls {@link #shutdownNow()}, cancels the {@code Future} of every
   * task that was still queued, counts them as discarded and logs how many. It does not wait
   * again after that. Interrupting the caller does the same at once. Calling it again does nothing.
   */
  @Override
  void close();
}
