package dev.oomguard.executors;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.search.Search;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.function.ToDoubleFunction;

/**
 * The meters of a {@link BoundedThreadPool}. The only class of the executor that names Micrometer;
 * it is loaded only when {@link BoundedExecutors.Builder#meterRegistry} was called. Names follow
 * Micrometer's {@code ExecutorServiceMetrics} where it has them, so existing dashboards work.
 */
final class BoundedExecutorMetrics {
  private static final String TASKS = "tasks";
  private static final String THREADS = "threads";

  private BoundedExecutorMetrics() {}

  /** Micrometer's name for the time a task waits between submit and start. */
  static LongConsumer queueWaitTimer(Object registry, String name) {
    Timer timer = Timer.builder("executor.idle")
        .description("Time from submit to start: how long tasks waited in the queue")
        .tags(tags(name))
        .register((MeterRegistry) registry);
    return nanos -> timer.record(nanos, TimeUnit.NANOSECONDS);
  }

  /**
   * Registers the pool's meters, and removes them (with the queue-wait timer) when the pool has
   * terminated: a pool built again under the same name then gets meters of its own, and pools made
   * per tenant or per reload do not pile meters up in the registry.
   */
  static void bind(BoundedThreadPool pool, Object meterRegistry) {
    MeterRegistry registry = (MeterRegistry) meterRegistry;
    Tags tags = tags(pool.name());
    pool.onTerminated(() -> {
      for (Meter meter : Search.in(registry).name(name -> name.startsWith("executor.")).tags(tags).meters()) {
        registry.remove(meter);
      }
    });
    gauge(registry, tags, pool, "executor.queued", TASKS, "Tasks waiting in the queue", BoundedThreadPool::queueSize);
    gauge(registry, tags, pool, "executor.queue.remaining", TASKS, "Room left in the queue, in tasks",
        p -> p.queueCapacity() - p.queueSize());
    gauge(registry, tags, pool, "executor.active", THREADS, "Threads running a task", BoundedThreadPool::activeCount);
    gauge(registry, tags, pool, "executor.pool.size", THREADS, "Worker threads started",
        BoundedThreadPool::poolSize);
    gauge(registry, tags, pool, "executor.pool.max", THREADS, "Worker threads the pool may have",
        BoundedThreadPool::threads);
    counter(registry, tags, pool, "executor.completed", "Tasks that workers ran to the end",
        BoundedThreadPool::completedCount);
    counter(registry, tags, pool, "executor.rejected", "Tasks refused: the queue was full or the executor shut down",
        p -> p.rejected.sum());
    counter(registry, tags, pool, "executor.expired", "Tasks not run because they waited longer than maxQueueWait",
        BoundedThreadPool::expiredCount);
    counter(registry, tags, pool, "executor.discarded",
        "Tasks dropped by a discard policy, or still queued when close() gave up", p -> p.discarded.sum());
    counter(registry, tags, pool, "executor.failed", "Tasks given to execute() that threw; the worker went on",
        p -> p.failed.sum());
  }

  private static Tags tags(String name) {
    return Tags.of("name", name);
  }

  private static void gauge(MeterRegistry registry, Tags tags, BoundedThreadPool pool, String name, String unit,
      String description, ToDoubleFunction<BoundedThreadPool> value) {
    Gauge.builder(name, pool, value).description(description).tags(tags).baseUnit(unit).register(registry);
  }

  private static void counter(MeterRegistry registry, Tags tags, BoundedThreadPool pool, String name,
      String description, ToDoubleFunction<BoundedThreadPool> count) {
    FunctionCounter.builder(name, pool, count).description(description).tags(tags).baseUnit(TASKS).register(registry);
  }
}
