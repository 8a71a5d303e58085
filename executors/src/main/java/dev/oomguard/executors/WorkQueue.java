package dev.oomguard.executors;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * The pool's bounded FIFO queue: a ring of slots under one lock, as in {@code
 * ArrayBlockingQueue}, plus {@link #close()}. Once closed, a taker gets what is left and then null
 * instead of waiting, so shutdown wakes idle workers by a signal rather than an interrupt; that
 * spares each task the handshake which would keep such an interrupt away from a running task.
 */
final class WorkQueue {
  private final @Nullable Runnable[] slots;
  /** The slot of the oldest element. */
  private int head;
  private int count;
  private boolean closed;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notEmpty = lock.newCondition();
  private final Condition notFull = lock.newCondition();

  WorkQueue(int capacity) {
    this.slots = new Runnable[capacity];
  }

  int capacity() {
    return slots.length;
  }

  int size() {
    lock.lock();
    try {
      return count;
    } finally {
      lock.unlock();
    }
  }

  /** Adds at the tail if there is room. */
  boolean offer(Runnable element) {
    lock.lock();
    try {
      if (count == slots.length) {
        return false;
      }
      enqueue(element);
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Adds at the tail, waiting up to the timeout for room. */
  boolean offer(Runnable element, long timeoutNanos) throws InterruptedException {
    long remaining = timeoutNanos;
    lock.lockInterruptibly();
    try {
      while (count == slots.length) {
        if (remaining <= 0) {
          return false;
        }
        remaining = notFull.awaitNanos(remaining);
      }
      enqueue(element);
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
          // Close the gap: everything after it moves one slot towards the head.
          for (int j = i; j < count - 1; j++) {
            slots[slot(j)] = slots[slot(j + 1)];
          }
          slots[slot(count - 1)] = null;
          count--;
          notFull.signal();
          return true;
        }
      }
      return false;
    } finally {
      lock.unlock();
    }
  }

  /** Removes and returns every element, oldest first. */
  List<Runnable> drain() {
    lock.lock();
    try {
      List<Runnable> drained = new ArrayList<>(count);
      while (count > 0) {
        drained.add(dequeue());
      }
      notFull.signalAll();
      return drained;
    } finally {
      lock.unlock();
    }
  }

  /** From now on, takers get null instead of waiting once the queue is empty. */
  void close() {
    lock.lock();
    try {
      closed = true;
      notEmpty.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private int slot(int index) {
    int slot = head + index;
    return slot < slots.length ? slot : slot - slots.length;
  }

  private void enqueue(Runnable element) {
    slots[slot(count)] = element;
    count++;
    notEmpty.signal();
  }

  private Runnable dequeue() {
    Runnable element = Objects.requireNonNull(slots[head]);
    slots[head] = null;
    head = head + 1 == slots.length ? 0 : head + 1;
    count--;
    notFull.signal();
    return element;
  }
}
