package dev.oomguard.executors;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.jspecify.annotations.Nullable;

/**
 * The executor behind {@link BoundedExecutors}: a fixed set of {@link WorkerThreads} (which own the
 * lifecycle) over a bounded {@link WorkQueue}, whose full-queue path goes to the overflow policy.
 * What the queue holds for a task is the builder's choice of {@link QueueEntries}. This class keeps
 * the counts: every task given to it is, in the end, run (completed), returned by {@code
 * shutdownNow()}, rejected, discarded or expired, and a dropped task's {@code Future} is cancelled.
 */
final class BoundedThreadPool extends AbstractExecutorService implements BoundedExecutorService {
  private static final System.Logger LOG = System.getLogger(BoundedExecutorService.class.getName());

  private final String name;
  private final WorkQueue queue;
  private final WorkerThreads workers;
  private final QueueEntries entries;
  private final OverflowPolicy overflow;
  private final FullPool fullPool = new FullPool();
  private final Consumer<Runnable> onExpired;
  private final Thread.@Nullable UncaughtExceptionHandler onFailure;
  private final @Nullable HighWaterMark highWaterMark;
  private final long closeTimeoutNanos;
  private volatile Runnable onTerminated = () -> {};

  final LongAdder rejected = new LongAdder();
  final LongAdder discarded = new LongAdder();

  /** Expired when a worker took them. */
  final LongAdder expiredAtStart = new LongAdder();

  /**
   * Counted here, after the task, so that the meter never goes down (the JDK pool's count lags).
   */
  final LongAdder completed = new LongAdder();

  /** Expired and purged from a full queue, never taken by a worker. */
  final LongAdder expiredInQueue = new LongAdder();

  final LongAdder failed = new LongAdder();

  BoundedThreadPool(BoundedExecutors.Builder config, @Nullable LongConsumer queueWaitRecorder) {
    this.name = config.name;
    this.queue =
        config.weigher == null
            ? new WorkQueue(config.queueCapacity)
            : new WorkQueue(config.queueCapacity, config.maxQueueWeight);
    long maxQueueWaitNanos =
        config.maxQueueWait == null ? 0 : BoundedExecutors.saturatedNanos(config.maxQueueWait);
    this.entries =
        maxQueueWaitNanos == 0 && queueWaitRecorder == null && config.weigher == null
            ? QueueEntries.PLAIN
            : new QueueEntries.Tracked(
                name, config.nanoTime, maxQueueWaitNanos, queueWaitRecorder, config.weigher);
    this.overflow = config.overflow;
    this.onExpired = config.onExpired;
    this.onFailure = config.uncaughtExceptionHandler;
    this.closeTimeoutNanos = BoundedExecutors.saturatedNanos(config.closeTimeout);
    HighWaterMarkListener listener = config.highWaterMarkListener;
    this.highWaterMark =
        listener == null ? null : new HighWaterMark(this, config.highWaterMarkFraction, listener);
    this.workers =
        new WorkerThreads(
            config.threads,
            queue,
            this::runQueued,
            new NamedThreadFactory(name, config.daemon),
            () -> onTerminated.run());
  }

  @Override
  public void execute(Runnable command) {
    Runnable entry = entries.entry(Objects.requireNonNull(command, "task"));
    if (!workers.startWith(entry) && !queue.offer(entry, entries.weight(entry))) {
      onQueueFull(entry);
    }
    if (highWaterMark != null) {
      highWaterMark.check(queue.size());
    }
  }

  /**
   * Runs {@code action} once the pool has terminated, before awaitTermination() returns (the meters
   * use this).
   */
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
    for (Runnable entry : drained) {
      tasks.add(entries.task(entry));
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

  /**
   * {@code ExecutorService.close()} of Java 19 and later: shuts down and waits for termination
   * however long it takes; if interrupted meanwhile, stops as {@link #shutdownNow()} does (the
   * queued tasks' Futures are cancelled), goes on waiting, and returns with the interrupt status
   * set.
   */
  @Override
  public void close() {
    if (isTerminated()) {
      return;
    }
    shutdown();
    boolean interrupted = false;
    while (!isTerminated()) {
      try {
        awaitTermination(1, TimeUnit.DAYS);
      } catch (InterruptedException e) {
        if (!interrupted) {
          interrupted = true;
          abandonQueued();
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public boolean closeWithTimeout() {
    if (isTerminated()) {
      return true;
    }
    shutdown();
    boolean interrupted = false;
    try {
      if (awaitTermination(closeTimeoutNanos, TimeUnit.NANOSECONDS)) {
        return true;
      }
    } catch (InterruptedException e) {
      interrupted = true;
    }
    abandonQueued();
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return isTerminated();
  }

  @Override
  public String toString() {
    return "BoundedExecutorService{name="
        + name
        + ", threads="
        + workers.threads()
        + ", queue="
        + queue.size()
        + "/"
        + queue.capacity()
        + ", overflow="
        + overflow
        + (workers.isShutdown() ? ", shut down" : "")
        + '}';
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

  /** The weight of the tasks in the queue. */
  long queuedWeight() {
    return queue.weight();
  }

  /** A built-in policy called by a user's policy, with a task as the user's policy got it. */
  void overflow(OverflowPolicies.BuiltIn policy, Runnable task) {
    policy.overflow(entries.entry(Objects.requireNonNull(task, "task")), fullPool);
  }

  /** shutdownNow(), and the queued tasks are dropped: their Futures cancelled, counted, logged. */
  private void abandonQueued() {
    List<Runnable> abandoned = shutdownNow();
    for (Runnable task : abandoned) {
      discarded.increment();
      cancel(task);
    }
    if (!abandoned.isEmpty()) {
      LOG.log(
          Level.WARNING,
          "executor ''{0}'' stopped before {1} queued tasks could run; their Futures are cancelled",
          name,
          abandoned.size());
    }
  }

  /**
   * What a worker does with each entry: the expiry check and queue-wait time, the high-water mark,
   * and the task, whose failure is counted and reported. The task runs even if a callback before it
   * throws; what a callback or the failure handler throws reaches the worker, which reports it and
   * goes on.
   */
  private void runQueued(Runnable entry) {
    boolean run = entries.start(entry);
    try {
      if (!run) {
        expiredAtStart.increment();
        expire(entry);
      }
      if (highWaterMark != null) {
        highWaterMark.check(queue.size());
      }
    } finally {
      if (run) {
        runTask(entries.task(entry));
      }
    }
  }

  private void runTask(Runnable task) {
    Throwable failure = null;
    try {
      task.run();
    } catch (Throwable e) {
      failure = e;
    }
    completed.increment();
    if (failure != null) {
      failed(failure);
    }
  }

  private void onQueueFull(Runnable entry) {
    if (workers.isShutdown()) {
      throw fullPool.reject(entry);
    }
    if (entries.expires() && purgeExpired() && fullPool.offer(entry)) {
      return;
    }
    if (overflow instanceof OverflowPolicies.BuiltIn builtIn) {
      builtIn.overflow(entry, fullPool);
      return;
    }
    Runnable task = entries.task(entry);
    try {
      overflow.onOverflow(task, this);
    } catch (TaskRejectedException e) {
      if (!e.counted) {
        rejected.increment();
      }
      cancel(task);
      throw e;
    } catch (RuntimeException | Error e) {
      rejected.increment();
      cancel(task);
      throw e;
    }
  }

  /** Takes expired entries off the head of the queue, so that they do not hold it full. */
  private boolean purgeExpired() {
    boolean purged = false;
    for (Runnable head; (head = queue.peek()) != null && entries.expired(head); ) {
      if (queue.remove(head)) {
        expiredInQueue.increment();
        expire(head);
        purged = true;
      }
    }
    return purged;
  }

  private void expire(Runnable entry) {
    Runnable task = entries.task(entry);
    cancel(task);
    tell(onExpired, task, "onExpired");
  }

  /** Counted, then told to the handler or logged; an Error either throws goes on to the worker. */
  private void failed(Throwable failure) {
    failed.increment();
    Thread thread = Thread.currentThread();
    if (onFailure == null) {
      LOG.log(
          Level.WARNING,
          "a task failed in executor '"
              + name
              + "' on thread "
              + thread.getName()
              + "; the thread goes on with the next task",
          failure);
      return;
    }
    try {
      onFailure.uncaughtException(thread, failure);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "the uncaught-exception handler of executor '" + name + "' failed", e);
    }
  }

  private void tell(Consumer<Runnable> callback, Runnable task, String which) {
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

  /** The pool as the built-in policies see it. */
  private final class FullPool implements OverflowPolicies.FullPool {
    @Override
    public boolean offer(Runnable entry) {
      return queue.offer(entry, entries.weight(entry));
    }

    @Override
    public boolean offer(Runnable entry, long timeoutNanos) throws InterruptedException {
      return queue.offer(entry, entries.weight(entry), timeoutNanos);
    }

    @Override
    public @Nullable Runnable pollOldest() {
      return queue.poll();
    }

    @Override
    public boolean canEverBeQueued(Runnable entry) {
      return entries.weight(entry) <= queue.maxWeight();
    }

    @Override
    public boolean isShutdown() {
      return workers.isShutdown();
    }

    @Override
    public TaskRejectedException reject(Runnable entry) {
      rejected.increment();
      cancel(entries.task(entry));
      TaskRejectedException rejection =
          new TaskRejectedException(name, queue.size(), queue.capacity(), workers.isShutdown());
      rejection.counted = true;
      return rejection;
    }

    @Override
    public void discard(Runnable entry, Consumer<Runnable> onDiscard) {
      discarded.increment();
      Runnable task = entries.task(entry);
      cancel(task);
      tell(onDiscard, task, "onDiscard");
    }

    @Override
    public void runOnCaller(Runnable entry) {
      // No expiry check and no queue wait; an exception reaches the caller, as with the JDK's
      // CallerRunsPolicy.
      try {
        entries.task(entry).run();
      } finally {
        completed.increment();
      }
    }
  }
}
