package dev.oomguard.executors;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Byte-weighted admission: work that needs memory waits for room instead of running the process out
 * of it (incident 2, where twenty concurrent image loads overran the heap). A semaphore whose
 * permits are bytes.
 *
 * <pre>{@code
 * MemoryBudget images = MemoryBudget.ofBytes(24L << 20);      // 24 MiB for decoded images
 *
 * try (MemoryBudget.Lease lease = images.acquire(width * height * 4L)) {
 *   BufferedImage image = decode(request);                    // runs only when the bytes fit
 *   ...
 * }
 * }</pre>
 *
 * <p>Limits, stated plainly:
 *
 * <ul>
 *   <li>It counts what callers declare; it does not measure the heap. A caller that uses more than
 *       it acquired overruns the budget.
 *   <li>Strictly first come, first served: a request waits while an earlier one waits, even if it
 *       would fit. So a large request is never starved by a stream of small ones, at the price of
 *       small ones queueing behind a large one.
 *   <li>A request for more than the whole budget fails at once with {@link
 *       IllegalArgumentException}: it could never be granted.
 *   <li>A lease that is never closed holds its bytes for good; close it by try-with-resources.
 * </ul>
 *
 * <p>Thread-safe; a lease may be closed on another thread than the one that acquired it.
 */
// used and waiting are written only under the lock; volatile only so the gauges read them without
// it.
@SuppressWarnings("NonAtomicVolatileUpdate")
public final class MemoryBudget {
  private final long capacity;
  private final ReentrantLock lock = new ReentrantLock();

  /** Requests waiting, oldest first; guarded by {@link #lock}. */
  private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();

  /** Written under the lock, read without it by the figures. */
  private volatile long used;

  private volatile int waiting;

  private MemoryBudget(long capacity) {
    this.capacity = capacity;
  }

  /**
   * A budget of {@code bytes}.
   *
   * @throws IllegalArgumentException if {@code bytes} is not positive
   */
  public static MemoryBudget ofBytes(long bytes) {
    if (bytes < 1) {
      throw new IllegalArgumentException("a memory budget must be at least 1 byte, was " + bytes);
    }
    return new MemoryBudget(bytes);
  }

  /**
   * Waits until {@code bytes} fit and every earlier request was served, then takes them.
   *
   * @throws IllegalArgumentException if {@code bytes} is negative or more than the whole budget
   * @throws InterruptedException if interrupted while waiting; nothing is then held
   */
  public Lease acquire(long bytes) throws InterruptedException {
    checkRequest(bytes);
    return acquire(bytes, false, 0L).orElseThrow();
  }

  /**
   * As {@link #acquire}, but gives up after {@code timeout} and returns empty. A zero or negative
   * timeout takes the bytes only if they fit now and nobody is waiting.
   *
   * @throws IllegalArgumentException if {@code bytes} is negative or more than the whole budget
   * @throws InterruptedException if interrupted while waiting; nothing is then held
   */
  public Optional<Lease> tryAcquire(long bytes, Duration timeout) throws InterruptedException {
    Objects.requireNonNull(timeout, "timeout");
    checkRequest(bytes);
    return acquire(bytes, true, BoundedExecutors.saturatedNanos(timeout));
  }

  /** Bytes not held by any lease; requests may still be waiting for them to add up. */
  public long availableBytes() {
    return capacity - used;
  }

  /** Bytes held by open leases. */
  public long usedBytes() {
    return used;
  }

  public long capacityBytes() {
    return capacity;
  }

  /** Requests waiting for room now. */
  public int waitingRequests() {
    return waiting;
  }

  @Override
  public String toString() {
    return "MemoryBudget{used=" + used + ", capacity=" + capacity + ", waiting=" + waiting + '}';
  }

  private void checkRequest(long bytes) {
    Require.notNegative("bytes", bytes);
    if (bytes > capacity) {
      throw new IllegalArgumentException(
          "a request of "
              + bytes
              + " bytes can never fit a memory budget of "
              + capacity
              + " bytes");
    }
  }

  private Optional<Lease> acquire(long bytes, boolean timed, long timeoutNanos)
      throws InterruptedException {
    lock.lockInterruptibly();
    try {
      if (waiters.isEmpty() && bytes <= capacity - used) {
        used += bytes;
        return Optional.of(new Grant(bytes));
      }
      if (timed && timeoutNanos <= 0) {
        return Optional.empty();
      }
      Waiter waiter = new Waiter(bytes, lock.newCondition());
      waiters.addLast(waiter);
      waiting = waiters.size();
      long remaining = timeoutNanos;
      try {
        while (!waiter.granted) {
          if (!timed) {
            waiter.turn.await();
          } else if (remaining > 0) {
            remaining = waiter.turn.awaitNanos(remaining);
          } else {
            giveUp(waiter);
            return Optional.empty();
          }
        }
      } catch (InterruptedException e) {
        if (waiter.granted) {
          // Granted as the interrupt came: keep the bytes and the interrupt status.
          Thread.currentThread().interrupt();
          return Optional.of(new Grant(bytes));
        }
        giveUp(waiter);
        throw e;
      }
      return Optional.of(new Grant(bytes));
    } finally {
      lock.unlock();
    }
  }

  /** A waiter leaves the line; those behind it may now fit. */
  private void giveUp(Waiter waiter) {
    waiters.remove(waiter);
    waiting = waiters.size();
    grantWaiting();
  }

  private void release(long bytes) {
    lock.lock();
    try {
      used -= bytes;
      grantWaiting();
    } finally {
      lock.unlock();
    }
  }

  /** Grants waiting requests in order, as long as the oldest fits. */
  private void grantWaiting() {
    for (Waiter head; (head = waiters.peekFirst()) != null && head.bytes <= capacity - used; ) {
      waiters.removeFirst();
      used += head.bytes;
      head.granted = true;
      head.turn.signal();
    }
    waiting = waiters.size();
  }

  /** Bytes held until {@link #close()}. */
  public interface Lease extends AutoCloseable {
    /** The bytes this lease holds until closed. */
    long bytes();

    /** Gives the bytes back; closing again does nothing. */
    @Override
    void close();
  }

  private final class Grant implements Lease {
    private final long bytes;
    private final AtomicBoolean closed = new AtomicBoolean();

    Grant(long bytes) {
      this.bytes = bytes;
    }

    @Override
    public long bytes() {
      return bytes;
    }

    @Override
    public void close() {
      if (closed.compareAndSet(false, true)) {
        release(bytes);
      }
    }

    @Override
    public String toString() {
      return "MemoryBudget.Lease{bytes=" + bytes + (closed.get() ? ", closed" : "") + '}';
    }
  }

  private static final class Waiter {
    final long bytes;
    final Condition turn;

    /** Guarded by the budget's lock. */
    boolean granted;

    Waiter(long bytes, Condition turn) {
      this.bytes = bytes;
      this.turn = turn;
    }
  }
}
