package dev.oomguard.executors;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;
import org.jspecify.annotations.Nullable;

/**
 * Thread pools whose queue cannot eat the heap (incident 3). {@link Executors#newFixedThreadPool}
 * queues on a {@code LinkedBlockingQueue} without a bound: when inflow outgrows the pool the queue
 * grows until the heap is gone. These pools queue at most {@code queueCapacity} tasks and hand the
 * rest to an {@link OverflowPolicy}.
 *
 * <pre>{@code
 * // before: Executors.newFixedThreadPool(8)
 * BoundedExecutorService events = BoundedExecutors.newFixedThreadPool("events", 8, 10_000);
 *
 * BoundedExecutorService images = BoundedExecutors.builder("images")
 *     .threads(4)
 *     .queueCapacity(200)
 *     .overflow(OverflowPolicy.discardOldest(task -> log.warn("dropped {}", task)))
 *     .maxQueueWait(Duration.ofSeconds(30))          // too old to matter: not run
 *     .highWaterMark(0.8, (executor, above) -> autoscaler.signal(above))
 *     .meterRegistry(registry)                       // optional: needs Micrometer
 *     .build();
 * }</pre>
 *
 * <p>Limits, stated plainly:
 *
 * <ul>
 *   <li>The pool has exactly {@code threads} workers, started as tasks arrive and kept until
 *       shutdown, as with {@code Executors.newFixedThreadPool}.
 *   <li>The queue bounds the number of tasks, not their size: 10,000 queued tasks that each hold 1
 *       MiB are 10 GiB. Size the capacity by what one task holds, bound the queue by weight as well
 *       ({@link Builder#maxQueueWeight}), or admit large work through a {@link MemoryBudget}.
 *   <li>Expiry, the queue-wait timer and the high-water mark are checked when a task is queued,
 *       when it starts, and when the queue is found full; nothing runs in the background.
 *   <li>A task given to {@code execute} that throws is logged and counted, and its worker goes on.
 *       A task from {@code submit} keeps its failure in its {@code Future}, as usual.
 *   <li>A dropped task's {@code Future} is cancelled only if the task is a {@code Future}, as
 *       {@code submit} makes it. A {@code CompletableFuture.runAsync(task, executor)} hands over a
 *       task that is not, and its {@code CompletableFuture} does not complete when the task is
 *       dropped: use {@code submit}, or a policy that does not drop.
 * </ul>
 */
public final class BoundedExecutors {
  /** {@code Runtime.availableProcessors()} at class load. */
  public static final int DEFAULT_THREADS = Runtime.getRuntime().availableProcessors();

  public static final int DEFAULT_QUEUE_CAPACITY = 1_000;
  public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(30);

  private BoundedExecutors() {}

  /**
   * The one-line replacement for {@code Executors.newFixedThreadPool(threads)}: {@code threads}
   * workers named {@code name-1}, {@code name-2}, ..., at most {@code queueCapacity} queued tasks,
   * and {@link OverflowPolicy#reject()} beyond that.
   *
   * @throws IllegalArgumentException if the name is blank or a number is below 1
   */
  public static BoundedExecutorService newFixedThreadPool(
      String name, int threads, int queueCapacity) {
    return builder(name).threads(threads).queueCapacity(queueCapacity).build();
  }

  /**
   * A builder for an executor called {@code name}, with {@link #DEFAULT_THREADS} threads, a queue
   * of {@link #DEFAULT_QUEUE_CAPACITY} and the reject policy until told otherwise.
   *
   * @throws IllegalArgumentException if the name is blank
   * @throws NullPointerException if the name is null
   */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** A duration in nanoseconds, saturated at {@code Long.MAX_VALUE} (about 292 years). */
  static long saturatedNanos(Duration duration) {
    try {
      return duration.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  /** Configures a {@link BoundedExecutorService}; every setting but the name has a default. */
  public static final class Builder {
    final String name;
    int threads = DEFAULT_THREADS;
    int queueCapacity = DEFAULT_QUEUE_CAPACITY;
    OverflowPolicy overflow = OverflowPolicy.reject();
    @Nullable Duration maxQueueWait;
    Consumer<Runnable> onExpired = task -> {};
    double highWaterMarkFraction;
    @Nullable HighWaterMarkListener highWaterMarkListener;

    /** A MeterRegistry, kept as Object so that this class loads without Micrometer. */
    @Nullable Object meterRegistry;

    boolean daemon;
    Thread.@Nullable UncaughtExceptionHandler uncaughtExceptionHandler;
    Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;
    LongSupplier nanoTime = System::nanoTime;
    long maxQueueWeight;
    @Nullable ToLongFunction<? super Runnable> weigher;

    private Builder(String name) {
      this.name = Require.notBlank("name", Objects.requireNonNull(name, "name"));
    }

    /**
     * Worker threads; default {@link #DEFAULT_THREADS}.
     *
     * @throws IllegalArgumentException if {@code threads} is less than 1
     */
    public Builder threads(int threads) {
      this.threads = Require.atLeast("threads", threads, 1);
      return this;
    }

    /**
     * The most tasks that wait in the queue; default {@link #DEFAULT_QUEUE_CAPACITY}.
     *
     * @throws IllegalArgumentException if {@code queueCapacity} is less than 1
     */
    public Builder queueCapacity(int queueCapacity) {
      this.queueCapacity = Require.atLeast("queueCapacity", queueCapacity, 1);
      return this;
    }

    /**
     * What happens to a task that finds the queue full; default {@link OverflowPolicy#reject()}.
     */
    public Builder overflow(OverflowPolicy overflow) {
      this.overflow = Objects.requireNonNull(overflow, "overflow");
      return this;
    }

    /**
     * A task that waited longer than this from submit to start is not run: it is counted as
     * expired, its {@code Future} is cancelled and {@link #onExpired} sees it. Expired tasks at the
     * head of a full queue are purged before the overflow policy is asked. Default: no expiry.
     *
     * @throws IllegalArgumentException if {@code maxQueueWait} is not positive
     * @throws NullPointerException if {@code maxQueueWait} is null
     */
    public Builder maxQueueWait(Duration maxQueueWait) {
      Objects.requireNonNull(maxQueueWait, "maxQueueWait");
      this.maxQueueWait = Require.positive("maxQueueWait", maxQueueWait);
      return this;
    }

    /**
     * Sees each task that expired (see {@link #maxQueueWait}), on a worker or submitting thread.
     */
    public Builder onExpired(Consumer<Runnable> onExpired) {
      this.onExpired = Objects.requireNonNull(onExpired, "onExpired");
      return this;
    }

    /**
     * Tells {@code listener} when the queue fills to {@code fraction} of its capacity (rounded up,
     * at least one task) and when it falls back below; see {@link HighWaterMarkListener}.
     *
     * @throws IllegalArgumentException unless {@code 0 < fraction <= 1}
     * @throws NullPointerException if {@code listener} is null
     */
    public Builder highWaterMark(double fraction, HighWaterMarkListener listener) {
      Objects.requireNonNull(listener, "listener");
      this.highWaterMarkFraction = Require.fraction("highWaterMark fraction", fraction);
      this.highWaterMarkListener = listener;
      return this;
    }

    /**
     * Registers the executor's meters, tagged {@code name=<name>}: Micrometer's {@code
     * executor.queued}, {@code executor.queue.remaining}, {@code executor.active}, {@code
     * executor.completed}, {@code executor.pool.size}, {@code executor.idle} (the time from submit
     * to start), and {@code executor.rejected}, {@code executor.expired}, {@code
     * executor.discarded}, {@code executor.failed}. The timer reads the clock twice per task. Two
     * live executors of one name cannot share a registry.
     */
    public Builder meterRegistry(MeterRegistry meterRegistry) {
      this.meterRegistry = Objects.requireNonNull(meterRegistry, "meterRegistry");
      return this;
    }

    /**
     * Bounds the queue by weight as well as by count: a task whose weight (by {@code weigher},
     * typically its bytes) would take the queued tasks over {@code maxWeight} finds the queue full
     * and goes to the overflow policy, as does a task heavier than {@code maxWeight} on its own. A
     * task's weight counts while it waits in the queue. {@code block} waits for room by weight too,
     * though not strictly in order: a lighter task may take room a heavier one waits for. The
     * weigher sees the task as given to {@code execute}: {@code submit} wraps yours in a {@code
     * FutureTask}, so a weigher should give such tasks a default weight.
     *
     * @throws IllegalArgumentException if {@code maxWeight} is not positive
     * @throws NullPointerException if {@code weigher} is null
     */
    public Builder maxQueueWeight(long maxWeight, ToLongFunction<? super Runnable> weigher) {
      Objects.requireNonNull(weigher, "weigher");
      this.maxQueueWeight = Require.atLeast("maxQueueWeight", maxWeight, 1);
      this.weigher = weigher;
      return this;
    }

    /** Whether the worker threads are daemon threads; default false, as the JDK's pools. */
    public Builder daemon(boolean daemon) {
      this.daemon = daemon;
      return this;
    }

    /**
     * Told of each task given to {@code execute} that throws, instead of the default warning in the
     * log. Either way the failure is counted and the worker goes on with the next task.
     */
    public Builder uncaughtExceptionHandler(Thread.UncaughtExceptionHandler handler) {
      this.uncaughtExceptionHandler = Objects.requireNonNull(handler, "handler");
      return this;
    }

    /**
     * How long {@link BoundedExecutorService#closeWithTimeout()} waits for the work to finish;
     * default 30 s. {@link BoundedExecutorService#close()} waits for as long as it takes.
     *
     * @throws IllegalArgumentException if {@code closeTimeout} is negative
     * @throws NullPointerException if {@code closeTimeout} is null
     */
    public Builder closeTimeout(Duration closeTimeout) {
      Objects.requireNonNull(closeTimeout, "closeTimeout");
      this.closeTimeout = Require.notNegative("closeTimeout", closeTimeout);
      return this;
    }

    /** The clock for expiry and the queue-wait timer; tests set a controllable one. */
    Builder nanoTime(LongSupplier nanoTime) {
      this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
      return this;
    }

    /**
     * Builds the executor and starts no thread until the first task.
     *
     * @throws IllegalStateException if a meter registry was given and already holds a meter this
     *     executor would register (a live executor of the same name, or another binder's meter with
     *     the same id): the two would share it and one would report the other's figures
     */
    public BoundedExecutorService build() {
      Object registry = meterRegistry;
      return registry == null
          ? new BoundedThreadPool(this, null)
          : BoundedExecutorMetrics.build(this, registry);
    }
  }
}
