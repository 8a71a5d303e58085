package dev.oomguard.compression;

import java.io.IOException;
import java.lang.ref.Cleaner;

/**
 * An inflater lent to a decompressing stream, within the codec's {@link StreamCap}. The stream
 * gives it back through {@link #release()}; if the stream is dropped without reaching the end,
 * closing or failing, the inflater and the slot go back when the stream is garbage collected, which
 * {@link StreamCap} asks for at the cap. (Compressing streams need no lease: they hold no native
 * handle between calls.)
 */
final class HandleLease<H extends HandlePool.Handle> {
  private static final Cleaner CLEANER =
      Cleaner.create(
          task -> {
            Thread thread = new Thread(task, "oomguard-gzip-cleaner");
            thread.setDaemon(true);
            return thread;
          });

  final H handle;
  private final Cleaner.Cleanable cleanable;

  HandleLease(Object owner, HandlePool<H> pool, StreamCap cap) throws IOException {
    cap.reserve();
    H taken;
    try {
      taken = pool.acquire();
    } catch (RuntimeException e) {
      cap.release();
      throw e;
    }
    this.handle = taken;
    this.cleanable = CLEANER.register(owner, new Return<>(pool, cap, taken));
  }

  /** Gives the handle and the slot back; later calls do nothing. */
  void release() {
    cleanable.clean();
  }

  /** Must not refer to the owner, or the owner would never become unreachable. */
  private static final class Return<H extends HandlePool.Handle> implements Runnable {
    private final HandlePool<H> pool;
    private final StreamCap cap;
    private final H handle;

    Return(HandlePool<H> pool, StreamCap cap, H handle) {
      this.pool = pool;
      this.cap = cap;
      this.handle = handle;
    }

    @Override
    public void run() {
      try {
        pool.release(handle);
      } finally {
        cap.release();
      }
    }
  }
}
