package dev.oomguard.executors;

import dev.oomguard.executors.OverflowStore.Spilled;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Handles events on a bounded pool; when the queue is full, spills them to an {@link
 * OverflowStore} (Redis Streams: {@code RedisStreamOverflowStore}) instead of the heap, and replays
 * spilled events, from this or any instance sharing the store, when the queue has room again
 * (incident 3's fix).
 *
 * <pre>{@code
 * EventProcessor<DeviceEvent> events = EventProcessor.builder("device-events", this::handle)
 *     .threads(8).queueCapacity(10_000)
 *     .maxAge(Duration.ofMinutes(5), DeviceEvent::timestamp)
 *     .spillTo(RedisStreamOverflowStore.builder(redis, "device-events:spill", codec).build())
 *     .build();
 * switch (events.submit(event)) { ... }
 * }</pre>
 *
 * <p>What happens to an event:
 * <ul>
 *   <li>{@link #submit} queues it ({@link SubmitResult#ACCEPTED}); or, with the queue full, spills
 *       it ({@code SPILLED}); or, with no store or a failing store, refuses it ({@code REJECTED}:
 *       the caller still has it; the failure is counted and logged once per outage). An event older
 *       than {@code maxAge} is dropped at once ({@code EXPIRED}). {@code submit} never waits longer
 *       than the store's own time bound.
 *   <li>An event that grows older than {@code maxAge} while queued, or while spilled, is dropped
 *       before handling and counted as expired.
 *   <li>Spilled events come back oldest first, at most to half the queue, so fresh events still
 *       find room. A replayed event is removed from the store after its handler returns (or
 *       throws): delivery from the store is at-least-once, and an instance that dies mid-handling
 *       leaves the event for another to reclaim.
 *   <li>A handler that throws is logged and counted; the event is not retried.
 *   <li>{@link #close()} refuses new events, spills what is still queued (or, with no store or a
 *       failing one, handles it), waits for running handlers, and leaves replayed events that did
 *       not start in the store for another instance. Events in memory die with the process in a
 *       crash ({@code SIGKILL}, power loss); spilled ones do not.
 * </ul>
 *
 * @param <E> the event type
 */
public final class EventProcessor<E> implements AutoCloseable {
  public static final Duration DEFAULT_REPLAY_INTERVAL = Duration.ofMillis(100);

  private static final System.Logger LOG = System.getLogger(EventProcessor.class.getName());

  private final String name;
  private final Consumer<E> handler;
  private final BoundedExecutorService pool;
  private final @Nullable OverflowStore<E> store;
  private final @Nullable Duration maxAge;
  private final Function<? super E, Instant> timestampOf;
  private final Clock clock;
  private final @Nullable ScheduledExecutorService replayer;
  private final AtomicBoolean storeFailing = new AtomicBoolean();
  /** A MeterRegistry, kept as Object so that this class loads without Micrometer. */
  private final @Nullable Object meterRegistry;
  private volatile boolean closed;

  final LongAdder accepted = new LongAdder();
  final LongAdder spilled = new LongAdder();
  final LongAdder replayed = new LongAdder();
  final LongAdder expired = new LongAdder();
  final LongAdder rejected = new LongAdder();
  final LongAdder handled = new LongAdder();
  final LongAdder failed = new LongAdder();
  final LongAdder storeErrors = new LongAdder();
  /** Taken from the store and not queued yet; the replay thread's alone, at most half the queue. */
  private final ArrayDeque<Spilled<E>> taken = new ArrayDeque<>();
  /** The store's size at the last replay round; -1 before the first or when it could not tell. */
  volatile long spillBacklog = -1;

  private EventProcessor(Builder<E> builder) {
    this.name = builder.name;
    this.handler = builder.handler;
    this.store = builder.store;
    this.maxAge = builder.maxAge;
    this.timestampOf = builder.timestampOf;
    this.clock = builder.clock;
    this.meterRegistry = builder.pool.meterRegistry;
    this.pool = builder.pool.build();
    if (store != null) {
      this.replayer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, name + "-replay");
        thread.setDaemon(true);
        return thread;
      });
      long every = builder.replayInterval.toNanos();
      replayer.scheduleWithFixedDelay(this::replayRound, every, every, TimeUnit.NANOSECONDS);
    } else {
      this.replayer = null;
    }
    if (meterRegistry != null) {
      EventProcessorMetrics.bind(this, meterRegistry);
    }
  }

  /**
   * A processor named {@code name} (its threads are {@code name-1}, ...; its meters are tagged
   * {@code name}) that passes each event to {@code handler}.
   */
  public static <E> Builder<E> builder(String name, Consumer<E> handler) {
    return new Builder<>(name, handler);
  }

  /** Queues, spills, refuses or drops {@code event}; see the class comment. */
  public SubmitResult submit(E event) {
    Objects.requireNonNull(event, "event");
    if (closed) {
      rejected.increment();
      return SubmitResult.REJECTED;
    }
    if (isStale(event)) {
      expired.increment();
      return SubmitResult.EXPIRED;
    }
    try {
      pool.execute(new Fresh(event));
      accepted.increment();
      return SubmitResult.ACCEPTED;
    } catch (RejectedExecutionException full) {
      if (spill(event)) {
        return SubmitResult.SPILLED;
      }
      rejected.increment();
      return SubmitResult.REJECTED;
    }
  }

  public String name() {
    return name;
  }

  /** Events queued here now. */
  public int queueSize() {
    return pool.queueSize();
  }

  /**
   * Refuses new events, stops replaying, spills the queued events (handling them here if there is
   * no store or it fails), waits up to {@code closeTimeout} for the handlers, and removes its
   * meters. Does not close the store.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (replayer != null) {
      replayer.shutdownNow();
    }
    pool.closeWithTimeout();
    if (meterRegistry != null) {
      EventProcessorMetrics.unbind(this, meterRegistry);
    }
  }

  @Override
  public String toString() {
    return "EventProcessor[" + name + ", queued " + pool.queueSize() + " of " + pool.queueCapacity()
        + (store == null ? "" : ", spilling to " + store) + "]";
  }

  private boolean isStale(E event) {
    return maxAge != null && timestampOf.apply(event).plus(maxAge).isBefore(clock.instant());
  }

  private boolean spill(E event) {
    if (store == null) {
      return false;
    }
    try {
      store.spill(event);
      spilled.increment();
      storeRecovered();
      return true;
    } catch (OverflowStoreException e) {
      storeFailed("spill", e);
      return false;
    }
  }

  private void handle(E event) {
    try {
      handler.accept(event);
      handled.increment();
    } catch (RuntimeException e) {
      failed.increment();
      LOG.log(Level.WARNING, "Handler of " + name + " failed on an event; it is not retried", e);
    }
  }

  /** Pulls spilled events back while the queue is less than half full. Runs on the replay thread only. */
  void replayRound() {
    OverflowStore<E> store = Objects.requireNonNull(this.store);
    int half = Math.max(1, pool.queueCapacity() / 2);
    try {
      if (queueTaken(store)) {
        int room;
        while (!closed && (room = half - pool.queueSize()) > 0) {
          List<Spilled<E>> batch = store.take(room);
          taken.addAll(batch);
          if (!queueTaken(store) || batch.size() < room) {
            break;
          }
        }
      }
      long backlog = store.size();
      spillBacklog = backlog;
      if (backlog >= 0) {
        storeRecovered();
      }
    } catch (OverflowStoreException e) {
      spillBacklog = -1;
      if (!closed) { // close() interrupts a round in flight: not a store failure
        storeFailed("replay", e);
      }
    } catch (RuntimeException e) {
      // Never let the scheduler drop this task: a later round retries.
      LOG.log(Level.ERROR, "Replay round of " + name + " failed", e);
    }
  }

  /**
   * Queues the events taken from the store, oldest first, dropping stale ones; false if fresh
   * events took the room first. Those not queued stay taken, for the next round: left in the store,
   * they would wait {@code reclaimAfter} to be handed out again.
   */
  private boolean queueTaken(OverflowStore<E> store) {
    for (Spilled<E> next; !closed && (next = taken.peekFirst()) != null; taken.removeFirst()) {
      if (isStale(next.event())) {
        store.acknowledge(next);
        expired.increment();
      } else if (!enqueue(next)) {
        return false;
      }
    }
    return !closed;
  }

  private boolean enqueue(Spilled<E> spilled) {
    try {
      pool.execute(new Replayed(spilled));
      replayed.increment();
      return true;
    } catch (RejectedExecutionException full) {
      return false; // fresh events took the room
    }
  }

  private void storeFailed(String what, OverflowStoreException e) {
    storeErrors.increment();
    if (storeFailing.compareAndSet(false, true)) {
      LOG.log(Level.WARNING, "Overflow store of " + name + " failed (" + what + "); full-queue events are "
          + "rejected until it is back: " + e.getMessage(), e);
    }
  }

  private void storeRecovered() {
    if (storeFailing.compareAndSet(true, false)) {
      LOG.log(Level.INFO, "Overflow store of " + name + " is back");
    }
  }

  /** An event submitted here. */
  private final class Fresh implements Runnable {
    private final E event;

    Fresh(E event) {
      this.event = event;
    }

    @Override
    public void run() {
      if (isStale(event)) {
        expired.increment();
      } else if (!closed || !spill(event)) {
        handle(event);
      }
    }
  }

  /** An event taken back from the store: acknowledged once handled. */
  private final class Replayed implements Runnable {
    private final Spilled<E> spilled;

    Replayed(Spilled<E> spilled) {
      this.spilled = spilled;
    }

    @Override
    public void run() {
      OverflowStore<E> store = Objects.requireNonNull(EventProcessor.this.store);
      if (closed) {
        return; // left pending in the store, for another instance to reclaim
      }
      if (isStale(spilled.event())) {
        expired.increment();
      } else {
        handle(spilled.event());
      }
      try {
        store.acknowledge(spilled);
      } catch (OverflowStoreException e) {
        storeFailed("acknowledge", e); // handed out again later: at-least-once
      }
    }
  }

  /**
   * Configures an {@link EventProcessor}; only the name and handler are required. The queue's
   * settings are those of {@link BoundedExecutors.Builder}, with the same defaults.
   */
  public static final class Builder<E> {
    private final String name;
    private final Consumer<E> handler;
    /** The executor the events are handled on: threads, queue, close timeout, high-water mark, meters. */
    private final BoundedExecutors.Builder pool;
    private @Nullable Duration maxAge;
    private Function<? super E, Instant> timestampOf = event -> Instant.MAX;
    private @Nullable OverflowStore<E> store;
    private Duration replayInterval = DEFAULT_REPLAY_INTERVAL;
    private Clock clock = Clock.systemUTC();

    private Builder(String name, Consumer<E> handler) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("name must not be blank");
      }
      this.name = name;
      this.handler = Objects.requireNonNull(handler, "handler");
      this.pool = BoundedExecutors.builder(name);
    }

    /** Handler threads; default {@link BoundedExecutors#DEFAULT_THREADS}. */
    public Builder<E> threads(int threads) {
      pool.threads(threads);
      return this;
    }

    /** The most events queued in memory; default {@link BoundedExecutors#DEFAULT_QUEUE_CAPACITY}. */
    public Builder<E> queueCapacity(int queueCapacity) {
      pool.queueCapacity(queueCapacity);
      return this;
    }

    /** Events whose {@code timestampOf} is more than {@code maxAge} ago are dropped, not handled. */
    public Builder<E> maxAge(Duration maxAge, Function<? super E, Instant> timestampOf) {
      Objects.requireNonNull(maxAge, "maxAge");
      if (maxAge.isNegative() || maxAge.isZero()) {
        throw new IllegalArgumentException("maxAge must be positive, was " + maxAge);
      }
      this.maxAge = maxAge;
      this.timestampOf = Objects.requireNonNull(timestampOf, "timestampOf");
      return this;
    }

    /** Where events go when the queue is full, and come back from; default none (they are rejected). */
    public Builder<E> spillTo(OverflowStore<E> store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /** How often to look for spilled events to replay; default 100 ms. */
    public Builder<E> replayInterval(Duration replayInterval) {
      Objects.requireNonNull(replayInterval, "replayInterval");
      if (replayInterval.isNegative() || replayInterval.isZero()) {
        throw new IllegalArgumentException("replayInterval must be positive, was " + replayInterval);
      }
      this.replayInterval = replayInterval;
      return this;
    }

    /** How long {@link EventProcessor#close()} waits for handlers; default 30 s. */
    public Builder<E> closeTimeout(Duration closeTimeout) {
      pool.closeTimeout(closeTimeout);
      return this;
    }

    /** Told when the queue crosses {@code fraction} of its capacity: a signal to scale out. */
    public Builder<E> highWaterMark(double fraction, HighWaterMarkListener listener) {
      pool.highWaterMark(fraction, listener);
      return this;
    }

    /**
     * Registers the meters of the processor ({@code events.*}, tagged {@code name}) and of its
     * executor ({@code executor.*}).
     */
    public Builder<E> meterRegistry(MeterRegistry meterRegistry) {
      pool.meterRegistry(meterRegistry);
      return this;
    }

    Builder<E> clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public EventProcessor<E> build() {
      return new EventProcessor<>(this);
    }
  }
}
