package dev.oomguard.compression;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The hard cap on decompressing streams that hold an inflater at once ({@link
 * GzipCodec.Builder#maxOpenDecompressingStreams}), and the one place that count is kept.
 *
 * <p>A decompressing stream must keep its inflater between reads (zlib's inflate state cannot be
 * set aside and resumed), so a stream dropped mid-read holds one until the GC finds it. The cap is
 * checked before an inflater is taken, so it holds whether or not a GC ever runs. At the cap a
 * stream does what the JDK does for direct buffers ({@code java.nio.Bits.reserveMemory}): it asks
 * the GC once to reclaim streams that were dropped (their {@link HandleLease} cleaner gives the
 * inflater back and signals here), waits a bounded time for a slot, asking again between pauses,
 * then fails with {@link OpenStreamLimitException}. Only one thread asks the GC at a time.
 */
final class StreamCap {
  private static final long MAX_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(128);

  private final int max;
  private final long waitNanos;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition released = lock.newCondition();
  private int open;
  private int highWater;
  private boolean reclaiming;

  StreamCap(int max, long waitNanos) {
    this.max = max;
    this.waitNanos = waitNanos;
  }

  /**
   * Takes a slot. At the cap: asks the GC to reclaim dropped streams, then waits for a slot in
   * pauses of 1, 2, 4 ... up to 128 ms, asking again after each (a stream may have been dropped
   * since), until {@code waitNanos} have passed since its first request returned; then fails. A GC
   * that another thread asked for is waited out first, not counted against the wait: on a loaded
   * machine a full GC alone can take longer than the wait.
   */
  void reserve() throws IOException {
    lock.lock();
    try {
      long deadline = 0;
      boolean asked = false;
      long pause = TimeUnit.MILLISECONDS.toNanos(1);
      while (true) {
        if (open < max) {
          take();
          return;
        }
        if (reclaiming) {
          await(0); // woken when that GC request returns, or when a slot comes back
          continue;
        }
        reclaim();
        if (!asked) {
          asked = true;
          deadline = System.nanoTime() + waitNanos;
        }
        if (open < max) {
          take();
          return;
        }
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
          throw new OpenStreamLimitException(max, open, TimeUnit.NANOSECONDS.toMillis(waitNanos));
        }
        await(Math.min(remaining, pause));
        pause = Math.min(2 * pause, MAX_PAUSE_NANOS);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Waits, the lock held, for a release or the end of a GC request; 0 waits without a timeout. */
  // Every caller waits in a loop that checks the count again, so a spurious wake-up only loops.
  @SuppressWarnings("WaitNotInLoop")
  private void await(long nanos) throws InterruptedIOException {
    try {
      if (nanos == 0) {
        released.await();
      } else {
        released.awaitNanos(nanos);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      InterruptedIOException interrupted =
          new InterruptedIOException(
              "interrupted while waiting for one of the " + max + " decompressing stream slots");
      interrupted.initCause(e);
      throw interrupted;
    }
  }

  /** Called with the lock held; runs the GC without it, so that the cleaner can give slots back. */
  private void reclaim() {
    reclaiming = true;
    lock.unlock();
    try {
      System.gc(); // as Bits.reserveMemory: the only way to find streams nobody refers to any more
    } finally {
      lock.lock();
      reclaiming = false;
      released.signalAll();
    }
  }

  void release() {
    lock.lock();
    try {
      open--;
      released.signalAll();
    } finally {
      lock.unlock();
    }
  }

  int open() {
    lock.lock();
    try {
      return open;
    } finally {
      lock.unlock();
    }
  }

  /** The most slots ever taken at once: never above the cap. */
  int highWater() {
    lock.lock();
    try {
      return highWater;
    } finally {
      lock.unlock();
    }
  }

  int max() {
    return max;
  }

  private void take() {
    open++;
    highWater = Math.max(highWater, open);
  }
}
