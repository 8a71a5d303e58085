package dev.oomguard.executors;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;
import org.jspecify.annotations.Nullable;

/**
 * The executor behind {@link BoundedExecutors}: a fixed set of {@link WorkerThreads} over a bounded
 * {@link WorkQueue}, whose full-queue path goes to the overflow policy. A task is queued
 * as it was given, unless expiry, the queue-wait timer or a weight bound needs its submit time or
 * weight: then it is queued inside a {@link QueuedTask}. Tasks on the overflow path are always
 * handled as QueuedTasks.
 */
final class BoundedThreadPool extends AbstractExecutorService implements BoundedExecutorService {
  private static final System.Logger LOG = System.getLogger(BoundedExecutorService.class.getName());

  private final String name;
  private final WorkQueue queue;
  private final WorkerThreads workers;
  private final OverflowPolicy overflow;
  /** Zero when tasks do not expire. */
  private final long maxQueueWaitNanos;
  private final Consumer<Runnable> onExpired;
  private final Thread.@Nullable UncaughtExceptionHandler onFailure;
  private final @Nullable HighWaterMark highWaterMark;
  private final @Nullable LongConsumer queueWaitRecorder;
  private final LongSupplier nanoTime;
  /** Whether tasks need their submit time: reading the clock is the one cost on the hot path. */
  private final boolean stamped;
  /** Whether the queue holds QueuedTasks rather than the tasks as given: only when they carry something. */
  private final boolean wrapped;
  private final long closeTimeoutNanos;
  private volatile Runnable onTerminated = () -> {};
  /** The weight bound, when the builder set one; null means count only. */
  private final @Nullable MemoryBudget queueWeight;
  private final @Nullable ToLongFunction<? super Runnable> weigher;

  final LongAdder rejected = new LongAdder();
  final LongAdder discarded = new LongAdder();
  /** Expired when a worker took them. */
  final LongAdder expiredAtStart = new LongAdder();
  /** Counted here, after the task, so that the meter never goes down (the JDK pool's count lags). */
  final LongAdder completed = new LongAdder();
  /** Expired and purged from a full queue, never taken by a worker. */
  final LongAdder expiredInQueue = new LongAdder();
  final LongAdder failed = new LongAdder();

  BoundedThreadPool(BoundedExecutors.Builder config, @Nullable LongConsumer queueWaitRecorder) {
    this.name = config.name;
    this.queue = new WorkQueue(config.queueCapacity);
    this.overflow = config.overflow;
    this.maxQueueWaitNanos = config.maxQueueWait == null ? 0 : BoundedExecutors.saturatedNanos(config.maxQueueWait);
    this.onExpired = config.onExpired;
    this.onFailure = config.uncaughtExceptionHandler;
    this.queueWaitRecorder = queueWaitRecorder;
    this.nanoTime = config.nanoTime;
    this.stamped = maxQueueWaitNanos > 0 || queueWaitRecorder != null;
    this.closeTimeoutNanos = BoundedExecutors.saturatedNanos(config.closeTimeout);
    this.queueWeight = config.weigher == null ? null : MemoryBudget.ofBytes(config.maxQueueWeight);
    this.weigher = config.weigher;
    this.highWaterMark = config.highWaterMarkListener == null
        ? null
        : new HighWaterMark(threshold(config.highWaterMarkFraction, config.queueCapacity), config.highWaterMarkListener);
    this.wrapped = stamped || queueWeight != null;
    this.workers = new WorkerThreads(config.threads, queue, this::runQueued,
        new NamedThreadFactory(name, config.daemon), () -> onTerminated.run());
  }

  @Override
  public void execute(Runnable command) {
    if (wrapped) {
      QueuedTask task = wrap(command);
      if (!task.reserve() || !enqueue(task)) {
        onQueueFull(task);
      }
    } else if (!enqueue(Objects.requireNonNull(command, "task"))) {
      onQueueFull(wrap(command));
    }
    if (highWaterMark != null) {
      highWaterMark.check(queue.size());
    }
  }

  /** Runs {@code action} once the pool has terminated (its meters use this to unregister). */
  void onTerminated(Runnable action) {
    this.onTerminated = action;
  }

  @Override
  public int queueSize() {
    return queue.size();
  }

  @Override
  public int queueCapacity() {
    return queue.capacity();
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void shutdown() {
    workers.shutdown();
  }

  /** The queued tasks as they were given: {@code execute}'s Runnables, {@code submit}'s Futures. */
  @Override
  public List<Runnable> shutdownNow() {
    List<Runnable> drained = workers.shutdownNow();
    List<Runnable> tasks = new ArrayList<>(drained.size());
    for (Runnable queued : drained) {
      QueuedTask task = unqueued(queued);
      task.release();
      tasks.add(task.task);
    }
    if (highWaterMark != null) {
      highWaterMark.check(queue.size());
    }
    return tasks;
  }

  @Override
  public boolean isShutdown() {
    return workers.isShutdown();
  }

  @Override
  public boolean isTerminated() {
    return workers.isTerminated();
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    return workers.awaitTermination(timeout, unit);
  }

  @Override
  public void close() {
    if (isTerminated()) {
      return;
    }
    shutdown();
    boolean interrupted = false;
    try {
      if (workers.awaitTermination(closeTimeoutNanos, TimeUnit.NANOSECONDS)) {
        return;
      }
    } catch (InterruptedException e) {
      interrupted = true;
    }
    List<Runnable> abandoned = shutdownNow();
    for (Runnable task : abandoned) {
      discarded.increment();
      cancel(task);
    }
    if (!abandoned.isEmpty()) {
      LOG.log(Level.WARNING, "executor ''{0}'' closed before {1} queued tasks could run; their Futures are cancelled",
          name, abandoned.size());
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "BoundedExecutorService{name=" + name + ", threads=" + workers.threads() + ", queue="
        + queue.size() + "/" + queue.capacity() + ", overflow=" + overflow + (workers.isShutdown() ? ", shut down" : "") + '}';
  }

  // Figures for the metrics binder and tests

  int threads() {
    return workers.threads();
  }

  int poolSize() {
    return workers.alive();
  }

  int activeCount() {
    return workers.busy();
  }

  /** Tasks a worker ran to the end, normally or by throwing; expired ones are not counted. */
  long completedCount() {
    return completed.sum();
  }

  long expiredCount() {
    return expiredAtStart.sum() + expiredInQueue.sum();
  }

  // The overflow path and what the built-in policies need

  QueuedTask wrap(Runnable task) {
    Objects.requireNonNull(task, "task");
    long weight = 0;
    if (weigher != null) {
      weight = weigher.applyAsLong(task);
      if (weight < 0) {
        throw new IllegalArgumentException("the weigher of executor '" + name + "' gave a negative weight, " + weight
            + ", for " + task);
      }
    }
    return new QueuedTask(task, stamped ? nanoTime.getAsLong() : 0L, weight);
  }

  /** The weight of the tasks in the queue (and of those handed to a worker, until they start). */
  long queuedWeight() {
    return queueWeight == null ? 0 : queueWeight.usedBytes();
  }

  /** Counts the task rejected, cancels its Future, and returns the exception for the caller to throw. */
  TaskRejectedException reject(QueuedTask task) {
    rejected.increment();
    task.release();
    cancel(task.task);
    TaskRejectedException rejection = new TaskRejectedException(name, queue.size(), queue.capacity(), workers.isShutdown());
    rejection.counted = true;
    return rejection;
  }

  void discard(QueuedTask task, Consumer<Runnable> onDiscard) {
    discarded.increment();
    task.release();
    cancel(task.task);
    notify(onDiscard, task.task, "onDiscard");
  }

  /** Queues the task if there is room; throws if the executor shut down meanwhile. */
  boolean offer(QueuedTask task) {
    if (!task.reserve()) {
      return false;
    }
    if (!enqueue(queued(task))) {
      task.release();
      return false;
    }
    return true;
  }

  /** Waits up to the timeout for room by weight (if bounded so) and by count. */
  boolean offer(QueuedTask task, long timeoutNanos) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutNanos;
    if (!task.reserve(timeoutNanos)) {
      return false;
    }
    Runnable queued = queued(task);
    if (startedWith(queued)) {
      return true;
    }
    if (!queue.offer(queued, deadline - System.nanoTime())) {
      task.release();
      return false;
    }
    recheckShutdown(queued);
    return true;
  }

  @Nullable QueuedTask pollOldest() {
    Runnable oldest = queue.poll();
    return oldest == null ? null : unqueued(oldest);
  }

  /** Hands an element to a worker not yet started, or queues it if there is room; false if there is none. */
  private boolean enqueue(Runnable queued) {
    if (startedWith(queued)) {
      return true;
    }
    if (!queue.offer(queued)) {
      return false;
    }
    recheckShutdown(queued);
    return true;
  }

  /**
   * Hands an element to a new worker if not all have started, as the JDK pool does. Throws if the
   * executor is shut down.
   */
  private boolean startedWith(Runnable queued) {
    if (workers.isShutdown()) {
      throw reject(unqueued(queued));
    }
    return workers.startWith(queued);
  }

  /** As the JDK pool does after queueing: a task queued after shutdownNow() drained would be lost. */
  private void recheckShutdown(Runnable queued) {
    if (workers.isShutdown() && queue.remove(queued)) {
      throw reject(unqueued(queued));
    }
  }

  /** What the queue holds for a task. */
  private Runnable queued(QueuedTask task) {
    return wrapped ? task : task.task;
  }

  /** The task for a queue element. */
  private QueuedTask unqueued(Runnable queued) {
    return wrapped ? (QueuedTask) queued : new QueuedTask(queued, 0L, 0L);
  }

  /**
   * What a worker does with each queue element: the expiry check and queue-wait time of a wrapped
   * task, then the task, whose failure is counted and logged; the worker goes on either way.
   */
  private void runQueued(Runnable queued) {
    try {
      Runnable task = wrapped ? ((QueuedTask) queued).start() : queued;
      if (highWaterMark != null) {
        highWaterMark.check(queue.size());
      }
      if (task == null) {
        return;
      }
      try {
        task.run();
      } finally {
        completed.increment();
      }
    } catch (Throwable e) {
      failed(e);
    }
  }

  private void onQueueFull(QueuedTask task) {
    // Not queued: it holds no weight until an offer takes it again.
    task.release();
    if (workers.isShutdown()) {
      throw reject(task);
    }
    if (maxQueueWaitNanos > 0 && purgeExpired() && offer(task)) {
      return;
    }
    if (overflow instanceof OverflowPolicies.BuiltIn) {
      ((OverflowPolicies.BuiltIn) overflow).overflow(task, this);
      return;
    }
    try {
      overflow.onOverflow(task.task, this);
    } catch (TaskRejectedException e) {
      if (!e.counted) {
        rejected.increment();
      }
      cancel(task.task);
      throw e;
    } catch (RuntimeException | Error e) {
      rejected.increment();
      cancel(task.task);
      throw e;
    }
  }

  /** Takes expired tasks off the head of the queue, so that they do not hold it full. */
  private boolean purgeExpired() {
    boolean purged = false;
    long now = nanoTime.getAsLong();
    // Only wrapped tasks expire.
    for (QueuedTask head; (head = (QueuedTask) queue.peek()) != null && head.expired(now); ) {
      if (queue.remove(head)) {
        expiredInQueue.increment();
        expire(head);
        purged = true;
      }
    }
    return purged;
  }

  private void expire(QueuedTask task) {
    task.release();
    cancel(task.task);
    notify(onExpired, task.task, "onExpired");
  }

  private void failed(Throwable failure) {
    failed.increment();
    Thread thread = Thread.currentThread();
    if (onFailure == null) {
      LOG.log(Level.WARNING, "a task failed in executor '" + name + "' on thread " + thread.getName()
          + "; the thread goes on with the next task", failure);
      return;
    }
    try {
      onFailure.uncaughtException(thread, failure);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "the uncaught-exception handler of executor '" + name + "' failed", e);
    }
  }

  private void notify(Consumer<Runnable> callback, Runnable task, String which) {
    try {
      callback.accept(task);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "the " + which + " callback of executor '" + name + "' failed", e);
    }
  }

  private static void cancel(Runnable task) {
    if (task instanceof Future) {
      ((Future<?>) task).cancel(false);
    }
  }

  private static int threshold(double fraction, int capacity) {
    return Math.max(1, (int) Math.ceil(fraction * capacity));
  }

  /** A task in the queue, with its submit time and, under a weight bound, its share of it. */
  final class QueuedTask implements Runnable {
    final Runnable task;
    private final long submittedAt;
    private final long weight;
    /** The weight this task holds while queued; touched by one thread at a time, as the task moves. */
    private MemoryBudget.@Nullable Lease reserved;

    QueuedTask(Runnable task, long submittedAt, long weight) {
      this.task = task;
      this.submittedAt = submittedAt;
      this.weight = weight;
    }

    /** Takes the task's weight from the bound if it fits now; true without a bound. */
    boolean reserve() {
      try {
        return reserve(0);
      } catch (InterruptedException e) {
        throw new AssertionError("a zero wait does not wait", e);
      }
    }

    /** False if the task is heavier than the whole weight bound: no room will ever come. */
    boolean canEverBeQueued() {
      return queueWeight == null || weight <= queueWeight.capacityBytes();
    }

    boolean reserve(long timeoutNanos) throws InterruptedException {
      if (queueWeight == null || reserved != null) {
        return true;
      }
      if (!canEverBeQueued()) {
        return false;
      }
      reserved = queueWeight.tryAcquire(weight, Duration.ofNanos(timeoutNanos)).orElse(null);
      return reserved != null;
    }

    void release() {
      MemoryBudget.Lease lease = reserved;
      if (lease != null) {
        reserved = null;
        lease.close();
      }
    }

    boolean expired(long now) {
      return maxQueueWaitNanos > 0 && now - submittedAt > maxQueueWaitNanos;
    }

    /** Taken by a worker: gives back its weight, and returns the task to run, or null if it expired. */
    @Nullable Runnable start() {
      release();
      if (stamped) {
        long now = nanoTime.getAsLong();
        if (expired(now)) {
          expiredAtStart.increment();
          expire(this);
          return null;
        }
        if (queueWaitRecorder != null) {
          queueWaitRecorder.accept(now - submittedAt);
        }
      }
      return task;
    }

    /** What a worker does with it. */
    @Override
    public void run() {
      runQueued(this);
    }

    /**
     * Runs the task on the submitting thread (caller-runs): no expiry check, no queue wait, and an
     * exception reaches the caller, as with the JDK's {@code CallerRunsPolicy}.
     */
    void runOnCaller() {
      release();
      try {
        task.run();
      } finally {
        completed.increment();
      }
    }

    @Override
    public String toString() {
      return task.toString();
    }
  }

  /** Fires the listener on each crossing, in order, and only on a crossing. */
  private final class HighWaterMark {
    private final int threshold;
    private final HighWaterMarkListener listener;
    private volatile boolean above;

    HighWaterMark(int threshold, HighWaterMarkListener listener) {
      this.threshold = threshold;
      this.listener = listener;
    }

    void check(int size) {
      if ((size >= threshold) == above) {
        return;
      }
      synchronized (this) {
        // Re-read under the lock, so that racing threads agree on the order of crossings.
        boolean nowAbove = queue.size() >= threshold;
        if (nowAbove == above) {
          return;
        }
        above = nowAbove;
        try {
          listener.onCrossing(BoundedThreadPool.this, nowAbove);
        } catch (RuntimeException e) {
          LOG.log(Level.WARNING, "the high-water-mark listener of executor '" + name + "' failed", e);
        }
      }
    }
  }

  private static final class NamedThreadFactory implements ThreadFactory {
    private final String prefix;
    private final boolean daemon;
    private final AtomicInteger count = new AtomicInteger();

    NamedThreadFactory(String name, boolean daemon) {
      this.prefix = name + "-";
      this.daemon = daemon;
    }

    @Override
    public Thread newThread(Runnable worker) {
      Thread thread = new Thread(worker, prefix + count.incrementAndGet());
      thread.setDaemon(daemon);
      return thread;
    }
  }
}
