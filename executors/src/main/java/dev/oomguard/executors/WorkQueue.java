package dev.oomguard.executors;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * The pool's bounded FIFO queue: a ring of slots under one lock, as in {@code ArrayBlockingQueue},
 * bounded by count and, when built with a weight bound, by the sum of its elements' weights; plus
 * {@link #close()}. Once closed it refuses elements, wakes every waiting producer (who then gets
 * false), and gives takers what is left and then null instead of waiting. So shutdown wakes idle
 * workers by a signal rather than an interrupt, which spares each task the handshake that would
 * keep such an interrupt away from a running task; and, because closing and offering take the same
 * lock, an element is either refused or seen by whoever drains or takes after the close: none is
 * left behind.
 */
final class WorkQueue {
  private final @Nullable Runnable[] slots;

  /** Each slot's weight; null when the queue is bounded by count only. */
  private final long @Nullable [] weights;

  private final long maxWeight;

  /** The slot of the oldest element. */
  private int head;

  private int count;
  private long weight;
  private boolean closed;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notEmpty = lock.newCondition();
  private final Condition notFull = lock.newCondition();

  /** Bounded by count only. */
  WorkQueue(int capacity) {
    this.slots = new Runnable[capacity];
    this.weights = null;
    this.maxWeight = Long.MAX_VALUE;
  }

  /** Bounded by count and by the sum of the weights given to {@link #offer(Runnable, long)}. */
  WorkQueue(int capacity, long maxWeight) {
    this.slots = new Runnable[capacity];
    this.weights = new long[capacity];
    this.maxWeight = maxWeight;
  }

  int capacity() {
    return slots.length;
  }

  long maxWeight() {
    return maxWeight;
  }

  int size() {
    lock.lock();
    try {
      return count;
    } finally {
      lock.unlock();
    }
  }

  /** The sum of the weights of the elements in the queue. */
  long weight() {
    lock.lock();
    try {
      return weight;
    } finally {
      lock.unlock();
    }
  }

  /** Adds at the tail if there is room and the queue is open. */
  boolean offer(Runnable element) {
    return offer(element, 0L);
  }

  /**
   * Adds at the tail if there is room for one more element of {@code elementWeight} and the queue
   * is open.
   */
  boolean offer(Runnable element, long elementWeight) {
    lock.lock();
    try {
      if (closed || !fits(elementWeight)) {
        return false;
      }
      enqueue(element, elementWeight);
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Adds at the tail, waiting up to the timeout for room; false on timeout or once closed. */
  boolean offer(Runnable element, long elementWeight, long timeoutNanos)
      throws InterruptedException {
    long remaining = timeoutNanos;
    lock.lockInterruptibly();
    try {
      while (!closed && !fits(elementWeight)) {
        if (remaining <= 0) {
          return false;
        }
        remaining = notFull.awaitNanos(remaining);
      }
      if (closed) {
        return false;
      }
      enqueue(element, elementWeight);
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** The oldest element, waiting for one; null once closed and empty. */
  @Nullable Runnable take() throws InterruptedException {
    lock.lockInterruptibly();
    try {
      while (count == 0) {
        if (closed) {
          return null;
        }
        notEmpty.await();
      }
      return dequeue();
    } finally {
      lock.unlock();
    }
  }

  @Nullable Runnable poll() {
    lock.lock();
    try {
      return count == 0 ? null : dequeue();
    } finally {
      lock.unlock();
    }
  }

  @Nullable Runnable peek() {
    lock.lock();
    try {
      return slots[head];
    } finally {
      lock.unlock();
    }
  }

  /** Removes {@code element} (the same object), wherever it is; false if it is not there. */
  boolean remove(Runnable element) {
    lock.lock();
    try {
      for (int i = 0; i < count; i++) {
        if (slots[slot(i)] == element) {
          if (weights != null) {
            weight -= weights[slot(i)];
          }
          // Close the gap: everything after it moves one slot towards the head.
          for (int j = i; j < count - 1; j++) {
            slots[slot(j)] = slots[slot(j + 1)];
            if (weights != null) {
              weights[slot(j)] = weights[slot(j + 1)];
            }
          }
          slots[slot(count - 1)] = null;
          count--;
          notFull.signalAll();
          return true;
        }
      }
      return false;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Closes the queue (see {@link #close()}) and removes and returns every element, oldest first, at
   * once.
   */
  List<Runnable> closeAndDrain() {
    lock.lock();
    try {
      close();
      List<Runnable> drained = new ArrayList<>(count);
      while (count > 0) {
        drained.add(dequeue());
      }
      return drained;
    } finally {
      lock.unlock();
    }
  }

  /**
   * From now on the queue refuses elements and producers waiting for room get false; takers get
   * what is left, then null instead of waiting.
   */
  void close() {
    lock.lock();
    try {
      closed = true;
      notEmpty.signalAll();
      notFull.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private boolean fits(long elementWeight) {
    // Written so that it cannot overflow: weight <= maxWeight always holds.
    return count < slots.length && elementWeight <= maxWeight - weight;
  }

  private int slot(int index) {
    int slot = head + index;
    return slot < slots.length ? slot : slot - slots.length;
  }

  private void enqueue(Runnable element, long elementWeight) {
    int tail = slot(count);
    slots[tail] = element;
    if (weights != null) {
      weights[tail] = elementWeight;
      weight += elementWeight;
    }
    count++;
    notEmpty.signal();
  }

  private Runnable dequeue() {
    Runnable element = Objects.requireNonNull(slots[head]);
    slots[head] = null;
    if (weights != null) {
      weight -= weights[head];
      weights[head] = 0;
      // Room by weight may suit several waiters at once, each of another weight.
      notFull.signalAll();
    } else {
      notFull.signal();
    }
    head = head + 1 == slots.length ? 0 : head + 1;
    count--;
    return element;
  }
}
