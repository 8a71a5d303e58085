package dev.oomguard.spring.boot;

import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The bounded {@code applicationTaskExecutor}. Threads, thread names, task decorators and the
 * shutdown wait come from Boot's {@code spring.task.execution.*}; what Boot has no property for, or
 * has only unbounded, is here.
 */
@ConfigurationProperties("oomguard.task.execution")
public class TaskExecutionGuardProperties {
  /** Whether applicationTaskExecutor (and its alias taskExecutor) is a bounded pool. */
  private boolean enabled = true;

  /**
   * The most tasks the queue holds; spring.task.execution.pool.queue-capacity is not used (Boot's
   * is unbounded).
   */
  private int queueCapacity =
      1000; // BoundedExecutors.DEFAULT_QUEUE_CAPACITY, written out for the metadata

  /** What happens to a task that finds the queue full. */
  private Overflow overflow = Overflow.CALLER_RUNS;

  /**
   * How long a submitter waits for room in the queue with the 'block' overflow, before the task is
   * rejected.
   */
  private Duration blockWait = Duration.ofSeconds(1);

  /**
   * A task that waited longer than this in the queue is not run: it is counted as expired and its
   * Future cancelled. Default: no expiry.
   */
  private @Nullable Duration maxQueueWait;

  /**
   * The share of the queue at which one WARN says the queue is filling up (and one INFO when it
   * falls back).
   */
  private double highWaterMark = 0.8;

  /**
   * What happens to a task that finds the queue full, as the overflow policies of
   * oomguard-executors.
   */
  public enum Overflow {
    /** The submitting thread runs the task: backpressure, nothing dropped. */
    CALLER_RUNS,
    /** The task is refused with Spring's TaskRejectedException. */
    REJECT,
    /** The submitter waits up to block-wait for room, then the task is refused. */
    BLOCK,
    /** The task that waited longest is dropped (its Future cancelled) to make room. */
    DISCARD_OLDEST,
    /** The task being submitted is dropped (its Future cancelled). */
    DISCARD_NEWEST
  }

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public int getQueueCapacity() {
    return queueCapacity;
  }

  public void setQueueCapacity(int queueCapacity) {
    this.queueCapacity = queueCapacity;
  }

  public Overflow getOverflow() {
    return overflow;
  }

  public void setOverflow(Overflow overflow) {
    this.overflow = overflow;
  }

  public Duration getBlockWait() {
    return blockWait;
  }

  public void setBlockWait(Duration blockWait) {
    this.blockWait = blockWait;
  }

  public @Nullable Duration getMaxQueueWait() {
    return maxQueueWait;
  }

  public void setMaxQueueWait(@Nullable Duration maxQueueWait) {
    this.maxQueueWait = maxQueueWait;
  }

  public double getHighWaterMark() {
    return highWaterMark;
  }

  public void setHighWaterMark(double highWaterMark) {
    this.highWaterMark = highWaterMark;
  }
}
