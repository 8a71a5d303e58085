package dev.oomguard.executors;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The meters of a {@link BoundedThreadPool}. The only class of the executor that names Micrometer;
 * it is loaded only when {@link BoundedExecutors.Builder#meterRegistry} was called. Names follow
 * Micrometer's {@code ExecutorServiceMetrics} where it has them, so existing dashboards work.
 *
 * <p>A pool owns exactly the meters it registered: it removes those, by their ids, when it
 * terminates, as Micrometer's own binders do, and nothing else (not a JDK pool's meters bound under
 * the same name, not a meter someone else registered under one of our names). A pool whose meter
 * would be one the registry already holds (a live pool of the same name, or any other binder's
 * meter with the same id) is refused: the registry would hand back the existing meter, and one of
 * the two pools would report the other's figures.
 */
final class BoundedExecutorMetrics {
  private static final String TASKS = "tasks";
  private static final String THREADS = "threads";

  private BoundedExecutorMetrics() {}

  /**
   * Builds the pool with its meters registered, to be removed when it terminates.
   *
   * @throws IllegalStateException if one of the meters is in the registry already; nothing is then
   *     left registered and no thread started
   */
  static BoundedThreadPool build(BoundedExecutors.Builder builder, Object meterRegistry) {
    MeterRegistry registry = (MeterRegistry) meterRegistry;
    Registration registration = new Registration(registry, builder.name);
    // One build at a time, so that two pools of one name cannot both find the registry free.
    synchronized (BoundedExecutorMetrics.class) {
      try {
        Timer idle =
            registration.add(
                "executor.idle",
                () ->
                    Timer.builder("executor.idle")
                        .description(
                            "Time from submit to start: how long tasks waited in the queue")
                        .tags(registration.tags)
                        .register(registry));
        BoundedThreadPool pool =
            new BoundedThreadPool(builder, nanos -> idle.record(nanos, TimeUnit.NANOSECONDS));
        bind(registration, pool);
        pool.onTerminated(registration::removeAll);
        return pool;
      } catch (RuntimeException | Error e) {
        registration.removeAll();
        throw e;
      }
    }
  }

  private static void bind(Registration meters, BoundedThreadPool pool) {
    meters.gauge(
        pool, "executor.queued", TASKS, "Tasks waiting in the queue", BoundedThreadPool::queueSize);
    meters.gauge(
        pool,
        "executor.queue.remaining",
        TASKS,
        "Room left in the queue, in tasks",
        p -> p.queueCapacity() - p.queueSize());
    meters.gauge(
        pool, "executor.active", THREADS, "Threads running a task", BoundedThreadPool::activeCount);
    meters.gauge(
        pool, "executor.pool.size", THREADS, "Worker threads started", BoundedThreadPool::poolSize);
    meters.gauge(
        pool,
        "executor.pool.max",
        THREADS,
        "Worker threads the pool may have",
        BoundedThreadPool::threads);
    meters.counter(
        pool,
        "executor.completed",
        "Tasks that workers ran to the end",
        BoundedThreadPool::completedCount);
    meters.counter(
        pool,
        "executor.rejected",
        "Tasks refused: the queue was full or the executor shut down",
        p -> p.rejected.sum());
    meters.counter(
        pool,
        "executor.expired",
        "Tasks not run because they waited longer than maxQueueWait",
        BoundedThreadPool::expiredCount);
    meters.counter(
        pool,
        "executor.discarded",
        "Tasks dropped by a discard policy, or still queued when the executor was stopped",
        p -> p.discarded.sum());
    meters.counter(
        pool,
        "executor.failed",
        "Tasks given to execute() that threw; the worker went on",
        p -> p.failed.sum());
  }

  /** The meters one pool registered, each checked to be new to the registry. */
  private static final class Registration {
    final MeterRegistry registry;
    final String name;
    final Tags tags;
    private final List<Meter> registered = new ArrayList<>();

    Registration(MeterRegistry registry, String name) {
      this.registry = registry;
      this.name = name;
      this.tags = Tags.of("name", name);
    }

    void gauge(
        BoundedThreadPool pool,
        String meterName,
        String unit,
        String description,
        ToDoubleFunction<BoundedThreadPool> value) {
      add(
          meterName,
          () ->
              Gauge.builder(meterName, pool, value)
                  .description(description)
                  .tags(tags)
                  .baseUnit(unit)
                  .register(registry));
    }

    void counter(
        BoundedThreadPool pool,
        String meterName,
        String description,
        ToDoubleFunction<BoundedThreadPool> count) {
      add(
          meterName,
          () ->
              FunctionCounter.builder(meterName, pool, count)
                  .description(description)
                  .tags(tags)
                  .baseUnit(TASKS)
                  .register(registry));
    }

    /**
     * Registers a meter and keeps it, unless the registry gave back one it held already: its id is
     * taken (with the registry's common tags and filters applied, which is why the check compares
     * meters rather than ids).
     */
    <M extends Meter> M add(String meterName, Supplier<M> register) {
      Set<Meter> before = Collections.newSetFromMap(new IdentityHashMap<>());
      before.addAll(registry.find(meterName).meters());
      M meter = register.get();
      if (before.contains(meter)) {
        throw new IllegalStateException(
            "executor '"
                + name
                + "' cannot register its meter "
                + meter.getId()
                + ": the registry holds one with that id already, from a live executor of the same name or another"
                + " binder; give the executor a name of its own, or close the other one first");
      }
      registered.add(meter);
      return meter;
    }

    /** Removes exactly the meters registered here. */
    void removeAll() {
      for (Meter meter : registered) {
        registry.remove(meter);
      }
      registered.clear();
    }
  }
}
