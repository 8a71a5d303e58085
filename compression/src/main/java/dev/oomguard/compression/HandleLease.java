package dev.oomguard.compression;

import java.lang.ref.Cleaner;

/**
 * A pooled handle lent to a stream. The stream gives it back through {@link #release()}; if the
 * stream is dropped without finishing or closing, the handle goes back when the stream is
 * garbage collected, so an abandoned stream cannot keep native memory or the pool's count.
 */
final class HandleLease<H extends HandlePool.Handle> {
  private static final Cleaner CLEANER = Cleaner.create(task -> {
    Thread thread = new Thread(task, "oomguard-gzip-cleaner");
    thread.setDaemon(true);
    return thread;
  });

  final H handle;
  private final Cleaner.Cleanable cleanable;

  HandleLease(Object owner, HandlePool<H> pool) {
    this.handle = pool.acquire();
    this.cleanable = CLEANER.register(owner, new Return<>(pool, handle));
  }

  /** Gives the handle back; later calls do nothing. */
  void release() {
    cleanable.clean();
  }

  /** Must not refer to the owner, or the owner would never become unreachable. */
  private static final class Return<H extends HandlePool.Handle> implements Runnable {
    private final HandlePool<H> pool;
    private final H handle;

    Return(HandlePool<H> pool, H handle) {
      this.pool = pool;
      this.handle = handle;
    }

    @Override
    public void run() {
      pool.release(handle);
    }
  }
}
