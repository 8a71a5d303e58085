package dev.oomguard.executors;

import java.util.concurrent.RejectedExecutionException;

/**
 * A {@link BoundedExecutorService} refused a task: its queue was full and the overflow policy
 * rejects, or it was shut down. The message names the executor, the queue size and its capacity.
 *
 * <p>Cheap to create under load: it carries no stack trace and builds its message only when asked,
 * since the place that rejects is always the executor and the place that submitted is the caller
 * catching it.
 */
public final class TaskRejectedException extends RejectedExecutionException {
  private static final long serialVersionUID = 1L;
  private final String executorName;
  private final int queueSize;
  private final int queueCapacity;
  private final boolean shutdown;

  /**
   * Set by the executor that counted this rejection, so that a policy rethrowing it is not counted
   * twice.
   */
  transient boolean counted;

  TaskRejectedException(String executorName, int queueSize, int queueCapacity, boolean shutdown) {
    super((String) null);
    this.executorName = executorName;
    this.queueSize = queueSize;
    this.queueCapacity = queueCapacity;
    this.shutdown = shutdown;
  }

  public String executorName() {
    return executorName;
  }

  /** Tasks in the queue when the task was rejected. */
  public int queueSize() {
    return queueSize;
  }

  public int queueCapacity() {
    return queueCapacity;
  }

  /** True if the executor was shut down, false if its queue was full. */
  public boolean isShutdown() {
    return shutdown;
  }

  /** Built when asked for, so that a flood of rejections costs no strings. */
  @Override
  public String getMessage() {
    return shutdown
        ? "executor '" + executorName + "' is shut down; task rejected"
        : "executor '"
            + executorName
            + "' rejected a task: queue full ("
            + queueSize
            + " of "
            + queueCapacity
            + ")";
  }

  @Override
  public synchronized Throwable fillInStackTrace() {
    return this;
  }
}
