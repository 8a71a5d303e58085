package dev.oomguard.spring.boot;

import dev.oomguard.executors.BoundedExecutorService;
import java.util.Objects;
import org.springframework.core.task.AsyncTaskExecutor;
import org.springframework.core.task.support.TaskExecutorAdapter;

/**
 * A {@link BoundedExecutorService} behind Spring's {@link AsyncTaskExecutor}, so that
 * {@code @Async}, MVC's async requests and everything else in Boot that looks up {@code
 * applicationTaskExecutor} or {@code taskExecutor} gets a bounded queue. A task the pool refuses
 * reaches the caller as Spring's {@code TaskRejectedException}, with oomguard's as its cause.
 * Closing it closes the pool.
 */
public final class BoundedAsyncTaskExecutor extends TaskExecutorAdapter implements AutoCloseable {
  private final BoundedExecutorService pool;

  public BoundedAsyncTaskExecutor(BoundedExecutorService pool) {
    super(Objects.requireNonNull(pool, "pool"));
    this.pool = pool;
  }

  /** The pool itself: its queue size, capacity and name. */
  public BoundedExecutorService pool() {
    return pool;
  }

  /**
   * Closes the pool: waits up to its close timeout for queued and running tasks, then cancels the
   * rest.
   */
  @Override
  public void close() {
    pool.closeWithTimeout();
  }

  @Override
  public String toString() {
    return "BoundedAsyncTaskExecutor[" + pool + "]";
  }
}
