package dev.oomguard.executors;

import dev.oomguard.executors.OverflowStore.Spilled;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Handles events on a bounded pool; when the queue is full, spills them to an {@link OverflowStore}
 * (Redis Streams: {@code RedisStreamOverflowStore}) instead of the heap, and replays spilled
 * events, from this or any instance sharing the store, when the queue has room again (incident 3's
 * fix).
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
 *
 * <ul>
 *   <li>{@link #submit} queues it ({@link SubmitResult#ACCEPTED}); or, with the queue full, spills
 *       it ({@code SPILLED}); or, with no store or a store that refused it, hands it back ({@code
 *       REJECTED}: not stored, the caller still has it); or, when the store did not answer in time,
 *       says so ({@code UNCONFIRMED}: it may be stored and handled later). An event older than
 *       {@code maxAge} is dropped at once ({@code EXPIRED}). {@code submit} never waits longer than
 *       the store's own time bound, which is one deadline for the whole spill.
 *   <li>An event that grows older than {@code maxAge} while queued, or while spilled, is dropped
 *       before handling and counted as expired.
 *   <li>Spilled events come back oldest first, at most to half the queue, so fresh events still
 *       find room; while the store has more, the next batch is taken as soon as the queue drains to
 *       a quarter. A replayed event is acknowledged after its handler returns (or throws), in
 *       batches sent from the replay thread, never from a handler's: delivery from the store is
 *       at-least-once, and an instance that dies mid-handling, or before the acknowledgement went
 *       out, leaves the event for another to reclaim.
 *   <li>A handler that throws is logged and counted; the event is not retried.
 *   <li>{@link #close()} refuses new events, spills what is still queued (after the first spill
 *       that fails or times out, it stops trying the store and handles the rest here), waits for
 *       running handlers, and leaves replayed events that did not start in the store for another
 *       instance. Events in memory die with the process in a crash ({@code SIGKILL}, power loss);
 *       spilled ones do not.
 *   <li>A store failure is counted and logged once per outage, separately for spills and for
 *       replays (at most one warning a minute each, however the outages flap).
 * </ul>
 *
 * @param <E> the event type
 */
public final class EventProcessor<E> implements AutoCloseable {
  public static final Duration DEFAULT_REPLAY_INTERVAL = Duration.ofMillis(100);

  private static final System.Logger LOG = System.getLogger(EventProcessor.class.getName());
  private static final long OUTAGE_LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);
  private static final int MAX_ACK_BATCH = 256;

  /*
   * Lifecycle. RUNNING: submit queues or spills; the replay thread takes, queues and
   * acknowledges. close() sets `closed` (CLOSING): submit rejects; the replay thread stops after
   * its current store call; queued fresh events spill themselves as their turn comes (or, once a
   * spill failed, are handled here); queued replayed events return at once, left in the store.
   * close() then waits, all within closeTimeout, for the replay thread and the pool; events the
   * pool could not start in time are spilled from the closing thread, or, with the store failing,
   * counted in events.lost and logged at ERROR. Last, the handled replays are acknowledged and
   * the meters removed (CLOSED).
   */
  private final String name;
  private final Consumer<E> handler;
  private final BoundedExecutorService pool;
  private final @Nullable OverflowStore<E> store;
  private final @Nullable Duration maxAge;
  private final Function<? super E, Instant> timestampOf;
  private final Clock clock;
  private final long replayIntervalNanos;
  private final Duration closeTimeout;
  private final @Nullable Thread replayer;
  private final Outage spillOutage;
  private final Outage replayOutage;

  /**
   * The meters registered for this processor, as Objects so that this class loads without
   * Micrometer.
   */
  private final @Nullable Object meterRegistry;

  private final List<Object> meters;
  private volatile boolean closed;
  private final AtomicBoolean closeStarted = new AtomicBoolean();

  /** Set by the first spill that fails while closing: the rest are handled here. */
  private volatile boolean storeGivenUp;

  final LongAdder accepted = new LongAdder();
  final LongAdder spilled = new LongAdder();
  final LongAdder unconfirmed = new LongAdder();
  final LongAdder replayed = new LongAdder();
  final LongAdder expired = new LongAdder();
  final LongAdder rejected = new LongAdder();
  final LongAdder handled = new LongAdder();
  final LongAdder failed = new LongAdder();
  final LongAdder lost = new LongAdder();
  final LongAdder storeErrors = new LongAdder();

  /** Taken from the store and not queued yet; the replay thread's alone, at most half the queue. */
  private final ArrayDeque<Spilled<E>> taken = new ArrayDeque<>();

  /**
   * Replayed events handled (or expired) and not acknowledged yet: the replay thread sends them.
   */
  private final ConcurrentLinkedQueue<Spilled<E>> toAcknowledge = new ConcurrentLinkedQueue<>();

  private final AtomicInteger toAcknowledgeCount = new AtomicInteger();

  /** Replayed events that close() stopped before they ran: given back to the store. */
  private final ConcurrentLinkedQueue<Spilled<E>> notStarted = new ConcurrentLinkedQueue<>();

  private final int ackBatch;

  /** The replay thread is parked and wants to hear of acknowledgements or room in the queue. */
  private volatile boolean replayerWaiting;

  /** The store's size at the last replay round; -1 before the first or when it could not tell. */
  volatile long spillBacklog = -1;

  private EventProcessor(Builder<E> builder) {
    this.name = builder.name;
    this.handler = builder.handler;
    this.store = builder.store;
    this.maxAge = builder.maxAge;
    this.timestampOf = builder.timestampOf;
    this.clock = builder.clock;
    this.replayIntervalNanos = builder.replayInterval.toNanos();
    this.closeTimeout = builder.closeTimeout;
    this.meterRegistry = builder.meterRegistry;
    this.spillOutage = new Outage("spill", "full-queue events are rejected until it is back");
    this.replayOutage = new Outage("replay", "spilled events wait in it until it is back");
    // Ours first: a clash of names fails before the pool has threads to clean up.
    this.meters =
        meterRegistry == null ? List.of() : EventProcessorMetrics.bind(this, meterRegistry);
    try {
      this.pool = builder.pool.build();
    } catch (RuntimeException | Error e) {
      if (meterRegistry != null) {
        EventProcessorMetrics.unbind(meters, meterRegistry);
      }
      throw e;
    }
    this.ackBatch = Math.max(1, Math.min(MAX_ACK_BATCH, pool.queueCapacity() / 4));
    if (store != null) {
      Thread thread = new Thread(this::replayLoop, name + "-replay");
      thread.setDaemon(true);
      this.replayer = thread;
      thread.start();
    } else {
      this.replayer = null;
    }
  }

  /**
   * A processor named {@code name} (its threads are {@code name-1}, ...; its meters are tagged
   * {@code name}) that passes each event to {@code handler}.
   *
   * @throws IllegalArgumentException if {@code name} is blank
   * @throws NullPointerException if {@code name} or {@code handler} is null
   */
  public static <E> Builder<E> builder(String name, Consumer<E> handler) {
    return new Builder<>(name, handler);
  }

  /**
   * Queues, spills, refuses or drops {@code event}; see the class comment and {@link SubmitResult}.
   */
  public SubmitResult submit(E event) {
    Objects.requireNonNull(event, "event");
    if (closed) {
      rejected.increment();
      return SubmitResult.REJECTED;
    }
    if (maxAge != null && isStale(event)) {
      expired.increment();
      return SubmitResult.EXPIRED;
    }
    try {
      pool.execute(new Fresh(event));
      accepted.increment();
      return SubmitResult.ACCEPTED;
    } catch (RejectedExecutionException full) {
      SubmitResult result = spill(event);
      if (result == SubmitResult.REJECTED) {
        rejected.increment();
      } else if (result == SubmitResult.UNCONFIRMED) {
        unconfirmed.increment();
      }
      return result;
    }
  }

  public String name() {
    return name;
  }

  @Nullable OverflowStore<E> store() {
    return store;
  }

  /** Events queued here now. */
  public int queueSize() {
    return pool.queueSize();
  }

  /**
   * Refuses new events, stops replaying, spills the queued events (handling them here once the
   * store has failed or timed out, or if there is none), waits for the handlers, acknowledges the
   * replayed events they handled, and removes its meters. Takes at most {@code closeTimeout}, plus
   * one store time bound for a last spill and the last acknowledgement. Does not close the store.
   */
  @Override
  public void close() {
    if (!closeStarted.compareAndSet(false, true)) {
      return;
    }
    closed = true;
    long deadline = System.nanoTime() + closeTimeout.toNanos();
    boolean interrupted = false;
    try {
      if (replayer != null) {
        LockSupport.unpark(replayer);
        replayer.join(millisUntil(deadline));
        if (replayer.isAlive()) {
          replayer.interrupt();
        }
      }
      pool.shutdown();
      if (!pool.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        rescue(pool.shutdownNow());
      }
    } catch (InterruptedException e) {
      interrupted = true;
      rescue(pool.shutdownNow());
    }
    if (store != null) {
      try {
        acknowledgeHandled(store);
      } catch (OverflowStoreException e) {
        replayOutage.failed(e);
        // Handled, and given back: another instance, or this store's next user, handles them again.
        for (Spilled<E> next; (next = toAcknowledge.poll()) != null; ) {
          notStarted.add(next);
        }
      }
      if (replayer != null
          && !replayer.isAlive()) { // else the taken deque is still the replay thread's
        notStarted.addAll(taken);
      }
      store.release(new ArrayList<>(notStarted));
    }
    if (meterRegistry != null) {
      EventProcessorMetrics.unbind(meters, meterRegistry);
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "EventProcessor["
        + name
        + ", queued "
        + pool.queueSize()
        + " of "
        + pool.queueCapacity()
        + (store == null ? "" : ", spilling to " + store)
        + "]";
  }

  private boolean isStale(E event) {
    return maxAge != null && timestampOf.apply(event).plus(maxAge).isBefore(clock.instant());
  }

  /** SPILLED, REJECTED (certainly not stored) or UNCONFIRMED (may be stored). */
  private SubmitResult spill(E event) {
    if (store == null) {
      return SubmitResult.REJECTED;
    }
    try {
      store.spill(event);
      spilled.increment();
      spillOutage.recovered();
      return SubmitResult.SPILLED;
    } catch (OverflowStoreException e) {
      spillOutage.failed(e);
      return e.mayHaveStored() ? SubmitResult.UNCONFIRMED : SubmitResult.REJECTED;
    }
  }

  /**
   * The queued tasks the pool gave back at close: fresh events are spilled while the store works,
   * and otherwise counted as lost, loudly; replayed ones stay in the store.
   */
  private void rescue(List<Runnable> abandoned) {
    long notSaved = 0;
    for (Runnable task : abandoned) {
      if (task instanceof EventProcessor<?>.Replayed replayed) {
        @SuppressWarnings("unchecked")
        Spilled<E> left = (Spilled<E>) replayed.spilled;
        notStarted.add(left);
      } else if (task instanceof EventProcessor<?>.Fresh fresh) {
        @SuppressWarnings("unchecked")
        E event = (E) fresh.event;
        if (storeGivenUp || spill(event) != SubmitResult.SPILLED) {
          storeGivenUp = true;
          notSaved++;
        }
      } else {
        notSaved++; // not a task of ours as given: counted as lost rather than dropped unseen
      }
    }
    if (notSaved > 0) {
      lost.add(notSaved);
      LOG.log(
          Level.ERROR,
          "EventProcessor "
              + name
              + " closed with "
              + notSaved
              + " accepted events neither handled nor "
              + "spilled: the handlers did not reach them within closeTimeout ("
              + closeTimeout
              + ") and the overflow store "
              + (store == null ? "is not configured" : "was failing")
              + "; counted in events.lost");
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

  /** The replay thread: acknowledge, take, queue, wait for room; until close. */
  private void replayLoop() {
    OverflowStore<E> store = Objects.requireNonNull(this.store);
    long nextSizeAt = System.nanoTime();
    awaitWork(false); // the first round one interval after start, as every later idle one
    while (!closed) {
      boolean more = false;
      try {
        acknowledgeHandled(store);
        more = replayOnce(store);
        if (System.nanoTime() - nextSizeAt >= 0) {
          nextSizeAt = System.nanoTime() + replayIntervalNanos;
          long backlog = store.size();
          spillBacklog = backlog;
          if (backlog < 0) {
            throw new OverflowStoreException(
                "the size of " + store + " is unknown: it cannot be read");
          }
        }
        replayOutage.recovered();
      } catch (OverflowStoreException e) {
        spillBacklog = -1;
        if (!closed) { // close() may interrupt a call in flight: not a store failure
          replayOutage.failed(e);
        }
      } catch (RuntimeException | Error e) {
        // A store that throws something unexpected must not end replaying for good: log, retry.
        LOG.log(Level.ERROR, "Replay round of " + name + " failed; the next one retries", e);
      }
      awaitWork(more);
    }
  }

  /**
   * Takes one batch into the queue's free half; true if the store may hold more than there was room
   * for, so the next batch should follow as soon as the queue has drained.
   */
  boolean replayOnce(OverflowStore<E> store) {
    if (!queueTaken()) {
      return true;
    }
    int room = Math.max(1, pool.queueCapacity() / 2) - pool.queueSize();
    // Take no more than can be acknowledged: while acknowledgements fail, stop taking.
    if (room <= 0 || toAcknowledgeCount.get() >= pool.queueCapacity()) {
      return true;
    }
    List<Spilled<E>> batch = store.take(room);
    taken.addAll(batch);
    queueTaken();
    return batch.size() >= room;
  }

  /**
   * Parks for up to a replay interval; sooner for a batch to acknowledge, or room when {@code
   * more}.
   */
  private void awaitWork(boolean more) {
    long deadline = System.nanoTime() + replayIntervalNanos;
    int lowMark = pool.queueCapacity() / 4;
    replayerWaiting = true;
    try {
      for (long left; !closed && (left = deadline - System.nanoTime()) > 0; ) {
        if (toAcknowledgeCount.get() >= ackBatch || (more && pool.queueSize() <= lowMark)) {
          return;
        }
        LockSupport.parkNanos(this, left);
      }
    } finally {
      replayerWaiting = false;
    }
  }

  /** Sends the acknowledgements that handlers left, as one batch. */
  private void acknowledgeHandled(OverflowStore<E> store) {
    if (toAcknowledgeCount.get() == 0) {
      return;
    }
    List<Spilled<E>> batch = new ArrayList<>(toAcknowledgeCount.get());
    for (Spilled<E> next; (next = toAcknowledge.poll()) != null; ) {
      batch.add(next);
    }
    toAcknowledgeCount.addAndGet(-batch.size());
    try {
      store.acknowledge(batch);
    } catch (OverflowStoreException e) {
      // Kept for the next round rather than handled twice; while they pile up, nothing more is
      // taken.
      toAcknowledge.addAll(batch);
      toAcknowledgeCount.addAndGet(batch.size());
      throw e;
    }
  }

  /** Called by a handler thread when a replayed event is done with; never waits for the store. */
  private void toAcknowledge(Spilled<E> done) {
    toAcknowledge.add(done);
    int count = toAcknowledgeCount.incrementAndGet();
    Thread replayer = this.replayer;
    if (replayerWaiting
        && replayer != null
        && (count >= ackBatch || pool.queueSize() <= pool.queueCapacity() / 4)) {
      LockSupport.unpark(replayer);
    }
  }

  /**
   * Queues the events taken from the store, oldest first, dropping stale ones; false if fresh
   * events took the room first. Those not queued stay taken, for the next round: left in the store,
   * they would wait {@code reclaimAfter} to be handed out again.
   */
  private boolean queueTaken() {
    for (Spilled<E> next; !closed && (next = taken.peekFirst()) != null; taken.removeFirst()) {
      if (isStale(next.event())) {
        expired.increment();
        toAcknowledge(next);
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

  private static long millisUntil(long deadline) {
    return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
  }

  /**
   * One direction of store trouble (spills, or replays): counted every time, logged once per
   * outage, and at most once per {@link #OUTAGE_LOG_INTERVAL_NANOS} however often it flaps.
   */
  private final class Outage {
    private final String operation;
    private final String consequence;
    private final AtomicBoolean failing = new AtomicBoolean();
    private final LongAdder sinceWarning = new LongAdder();
    private volatile long nextWarningAt = System.nanoTime();
    private volatile boolean warned;

    Outage(String operation, String consequence) {
      this.operation = operation;
      this.consequence = consequence;
    }

    void failed(OverflowStoreException e) {
      storeErrors.increment();
      sinceWarning.increment();
      if (!failing.compareAndSet(false, true)) {
        return;
      }
      long now = System.nanoTime();
      if (now - nextWarningAt >= 0) {
        nextWarningAt = now + OUTAGE_LOG_INTERVAL_NANOS;
        warned = true;
        long failures = sinceWarning.sumThenReset();
        LOG.log(
            Level.WARNING,
            "Overflow store of "
                + name
                + " failed to "
                + operation
                + " ("
                + failures
                + (failures == 1 ? " failure" : " failures, counting earlier outages")
                + "); "
                + consequence
                + ": "
                + e.getMessage(),
            e);
      } else {
        warned = false; // within a minute of the last warning: counted, told at the next one
      }
    }

    void recovered() {
      if (failing.get() && failing.compareAndSet(true, false) && warned) {
        LOG.log(Level.INFO, "Overflow store of " + name + " can " + operation + " again");
      }
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
      } else if (!closed || store == null || storeGivenUp) {
        handle(event);
      } else if (spill(event) != SubmitResult.SPILLED) {
        // The store failed or hung while closing: stop trying it, handle the rest here. An
        // unconfirmed spill may also be stored, and handled twice: at-least-once, never lost.
        storeGivenUp = true;
        handle(event);
      }
    }
  }

  /** An event taken back from the store: acknowledged, by the replay thread, once handled. */
  private final class Replayed implements Runnable {
    private final Spilled<E> spilled;

    Replayed(Spilled<E> spilled) {
      this.spilled = spilled;
    }

    @Override
    public void run() {
      if (closed) {
        notStarted.add(spilled); // left pending in the store, for another instance to reclaim
        return;
      }
      if (isStale(spilled.event())) {
        expired.increment();
      } else {
        handle(spilled.event());
      }
      toAcknowledge(spilled);
    }
  }

  /**
   * Configures an {@link EventProcessor}; only the name and handler are required. The queue's
   * settings are those of {@link BoundedExecutors.Builder}, with the same defaults.
   */
  public static final class Builder<E> {
    private final String name;
    private final Consumer<E> handler;

    /**
     * The executor the events are handled on: threads, queue, close timeout, high-water mark,
     * meters.
     */
    private final BoundedExecutors.Builder pool;

    private @Nullable Duration maxAge;
    private Function<? super E, Instant> timestampOf = event -> Instant.MAX;
    private @Nullable OverflowStore<E> store;
    private Duration replayInterval = DEFAULT_REPLAY_INTERVAL;
    private Duration closeTimeout = BoundedExecutors.DEFAULT_CLOSE_TIMEOUT;
    private @Nullable Object meterRegistry;
    private Clock clock = Clock.systemUTC();

    private Builder(String name, Consumer<E> handler) {
      this.name = Require.notBlank("name", Objects.requireNonNull(name, "name"));
      this.handler = Objects.requireNonNull(handler, "handler");
      this.pool = BoundedExecutors.builder(name);
    }

    /**
     * Handler threads; default {@link BoundedExecutors#DEFAULT_THREADS}.
     *
     * @throws IllegalArgumentException if {@code threads} is less than 1
     */
    public Builder<E> threads(int threads) {
      pool.threads(threads);
      return this;
    }

    /**
     * The most events queued in memory; default {@link BoundedExecutors#DEFAULT_QUEUE_CAPACITY}.
     *
     * @throws IllegalArgumentException if {@code queueCapacity} is less than 1
     */
    public Builder<E> queueCapacity(int queueCapacity) {
      pool.queueCapacity(queueCapacity);
      return this;
    }

    /**
     * Events whose {@code timestampOf} is more than {@code maxAge} ago are dropped, not handled.
     *
     * @throws IllegalArgumentException if {@code maxAge} is not positive
     * @throws NullPointerException if {@code maxAge} or {@code timestampOf} is null
     */
    public Builder<E> maxAge(Duration maxAge, Function<? super E, Instant> timestampOf) {
      Objects.requireNonNull(maxAge, "maxAge");
      this.maxAge = Require.positive("maxAge", maxAge);
      this.timestampOf = Objects.requireNonNull(timestampOf, "timestampOf");
      return this;
    }

    /**
     * Where events go when the queue is full, and come back from; default none (they are rejected).
     */
    public Builder<E> spillTo(OverflowStore<E> store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /**
     * How often to look for spilled events to replay when the store had none, and the longest wait
     * to acknowledge handled ones; default 100 ms. While the store has more, batches follow each
     * other as fast as the handlers make room.
     *
     * @throws IllegalArgumentException if {@code replayInterval} is not positive
     * @throws NullPointerException if {@code replayInterval} is null
     */
    public Builder<E> replayInterval(Duration replayInterval) {
      Objects.requireNonNull(replayInterval, "replayInterval");
      this.replayInterval = Require.positive("replayInterval", replayInterval);
      return this;
    }

    /**
     * How long {@link EventProcessor#close()} waits for handlers; default 30 s.
     *
     * @throws IllegalArgumentException if {@code closeTimeout} is negative
     * @throws NullPointerException if {@code closeTimeout} is null
     */
    public Builder<E> closeTimeout(Duration closeTimeout) {
      pool.closeTimeout(closeTimeout);
      this.closeTimeout = closeTimeout;
      return this;
    }

    /**
     * Told when the queue crosses {@code fraction} of its capacity: a signal to scale out.
     *
     * @throws IllegalArgumentException unless {@code 0 < fraction <= 1}
     * @throws NullPointerException if {@code listener} is null
     */
    public Builder<E> highWaterMark(double fraction, HighWaterMarkListener listener) {
      pool.highWaterMark(fraction, listener);
      return this;
    }

    /**
     * Registers the meters of the processor ({@code events.*}, tagged {@code name}) and of its
     * executor ({@code executor.*}). Names must be unique among the live processors of one
     * registry: building a second one under a name in use fails.
     */
    public Builder<E> meterRegistry(MeterRegistry meterRegistry) {
      pool.meterRegistry(meterRegistry);
      this.meterRegistry = meterRegistry;
      return this;
    }

    Builder<E> clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Builds the processor; its replay thread, if it spills, starts at once.
     *
     * @throws IllegalStateException if the meter registry already has the meters of a live
     *     processor of this name
     */
    public EventProcessor<E> build() {
      return new EventProcessor<>(this);
    }
  }
}
