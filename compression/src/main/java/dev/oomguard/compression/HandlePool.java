package dev.oomguard.compression;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A bounded pool of native handles. At most {@code capacity} idle handles are kept (reset, ready to
 * reuse); a handle released into a full or closed pool is ended at once. Borrowing never blocks:
 * under a burst more handles may be out than the pool holds, and the surplus is ended as it
 * returns, so idle native memory never exceeds {@code capacity} handles.
 */
final class HandlePool<H extends HandlePool.Handle> {
  /** Something holding native memory that {@link #end()} frees. */
  interface Handle {
    /** Makes the handle ready for its next use. */
    void reset();

    /** Frees the native memory; the handle is unusable after. */
    void end();
  }

  private final ArrayBlockingQueue<H> idle;
  private final Supplier<H> factory;
  private final AtomicLong created = new AtomicLong();
  private final AtomicLong ended = new AtomicLong();
  private final AtomicInteger borrowed = new AtomicInteger();
  private volatile boolean closed;

  HandlePool(int capacity, Supplier<H> factory) {
    this.idle = new ArrayBlockingQueue<>(capacity);
    this.factory = factory;
  }

  H acquire() {
    checkOpen();
    return acquireEvenIfClosed();
  }

  /**
   * For a stream made before {@link #close()}, so that it still completes: the pool is empty once
   * closed, so this creates a handle, and {@link #release} ends it.
   */
  H acquireEvenIfClosed() {
    H handle = idle.poll();
    if (handle == null) {
      handle = factory.get();
      created.incrementAndGet();
    }
    borrowed.incrementAndGet();
    return handle;
  }

  void release(H handle) {
    borrowed.decrementAndGet();
    if (!closed) {
      try {
        handle.reset();
      } catch (RuntimeException e) {
        end(handle);
        return;
      }
      if (idle.offer(handle)) {
        if (closed) {
          endIdle(); // close() ran between the check and the offer
        }
        return;
      }
    }
    end(handle);
  }

  void checkOpen() {
    if (closed) {
      throw new IllegalStateException("GzipCodec is closed");
    }
  }

  void close() {
    closed = true;
    endIdle();
  }

  long created() {
    return created.get();
  }

  long ended() {
    return ended.get();
  }

  int borrowed() {
    return borrowed.get();
  }

  int idle() {
    return idle.size();
  }

  private void endIdle() {
    for (H handle; (handle = idle.poll()) != null; ) {
      end(handle);
    }
  }

  private void end(H handle) {
    handle.end();
    ended.incrementAndGet();
  }
}
