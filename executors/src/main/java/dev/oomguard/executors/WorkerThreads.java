package dev.oomguard.executors;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The fixed set of threads behind a {@link BoundedThreadPool}, and the owner of its lifecycle: each
 * thread takes the next entry of the queue and hands it to the pool's runner, until shutdown.
 *
 * <p>The lifecycle, as in the JDK's {@code ThreadPoolExecutor}; {@link #state} only grows:
 *
 * <pre>
 * RUNNING    the queue takes entries; each of the first {@code threads} entries starts a thread
 *            of its own and goes to it directly, not through the queue.
 * SHUTDOWN   shutdown(): the queue is closed in the same step, so an entry offered from now on is
 *            refused (the pool rejects it) and one offered before is in the queue; the workers
 *            run what is queued, then end. Nobody is interrupted: idle workers wake because the
 *            closed queue signals them.
 * STOP       shutdownNow() (from RUNNING or SHUTDOWN): the queue is closed and drained in one
 *            step, the drained entries go back to the caller, every worker is interrupted, and
 *            a worker ends after its current task.
 * TIDYING    shut down and no worker alive: the pool's termination hook runs (it removes the
 *            meters), once.
 * TERMINATED the hook has run; awaitTermination() returns true.
 * </pre>
 *
 * A worker never ends before that: a task's exception is caught by the runner, and anything that
 * still escapes the runner (an {@code Error} from the failure handler itself, an {@code
 * OutOfMemoryError} in the pool's own code) goes to the thread's uncaught-exception handler while
 * the worker goes on with the next entry. So the pool needs no new thread to recover, which is the
 * step most likely to fail when memory is short, and no queued entry is ever left without a worker
 * to run it. Shutdown's close of the queue, not an interrupt, ends idle workers, so that no task
 * needs the handshake (a lock per task in the JDK pool) that keeps such an interrupt away from a
 * running task.
 */
final class WorkerThreads {
  private static final int RUNNING = 0;
  private static final int SHUTDOWN = 1;
  private static final int STOP = 2;
  private static final int TIDYING = 3;
  private static final int TERMINATED = 4;

  private final WorkQueue queue;
  private final Consumer<Runnable> runner;
  private final ThreadFactory threadFactory;
  private final @Nullable Worker[] workers;
  private final Runnable onTerminated;

  /** Guards starting threads, the state changes with the queue's close, and {@link #alive}. */
  private final Object lifecycle = new Object();

  private final CountDownLatch terminated = new CountDownLatch(1);
  private volatile int state = RUNNING;

  /** Set once every thread has started: from then on, the one check on the path of each task. */
  private volatile boolean started;

  private int startedCount;
  private volatile int alive;

  WorkerThreads(
      int threads,
      WorkQueue queue,
      Consumer<Runnable> runner,
      ThreadFactory threadFactory,
      Runnable onTerminated) {
    this.queue = queue;
    this.runner = runner;
    this.threadFactory = threadFactory;
    this.workers = new Worker[threads];
    this.onTerminated = onTerminated;
  }

  /**
   * Starts a thread for {@code first} if not all have started and the pool runs; false otherwise.
   */
  boolean startWith(Runnable first) {
    if (started) {
      return false;
    }
    synchronized (lifecycle) {
      if (started || state != RUNNING) {
        return false;
      }
      Worker worker = new Worker(first);
      worker.thread.start();
      workers[startedCount++] = worker;
      alive++;
      started = startedCount == workers.length;
      return true;
    }
  }

  boolean isShutdown() {
    return state >= SHUTDOWN;
  }

  boolean isTerminated() {
    return state == TERMINATED;
  }

  int threads() {
    return workers.length;
  }

  /** Threads started and not yet ended. */
  int alive() {
    return alive;
  }

  /** Threads running a task now. */
  int busy() {
    int busy = 0;
    for (Worker worker : workers) {
      if (worker != null && (boolean) Worker.BUSY.getOpaque(worker)) {
        busy++;
      }
    }
    return busy;
  }

  /** RUNNING to SHUTDOWN: no new entries; the queued ones still run, then the workers end. */
  void shutdown() {
    synchronized (lifecycle) {
      if (state < SHUTDOWN) {
        state = SHUTDOWN;
        queue.close();
      }
    }
    tryTerminate();
  }

  /** To STOP: no new entries, every worker interrupted; returns the queue's entries in order. */
  List<Runnable> shutdownNow() {
    List<Runnable> drained;
    synchronized (lifecycle) {
      if (state < STOP) {
        state = STOP;
      }
      drained = queue.closeAndDrain();
      for (Worker worker : workers) {
        if (worker != null) {
          worker.thread.interrupt();
        }
      }
    }
    tryTerminate();
    return drained;
  }

  boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    return terminated.await(timeout, unit);
  }

  /**
   * To TIDYING and TERMINATED once shut down and every worker has ended; the hook runs before
   * waiters wake.
   */
  private void tryTerminate() {
    synchronized (lifecycle) {
      if (state == RUNNING || state >= TIDYING || alive > 0) {
        return;
      }
      state = TIDYING;
    }
    try {
      onTerminated.run();
    } finally {
      state = TERMINATED;
      terminated.countDown();
    }
  }

  private final class Worker implements Runnable {
    static final VarHandle BUSY;

    static {
      try {
        BUSY = MethodHandles.lookup().findVarHandle(Worker.class, "busy", boolean.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    final Thread thread = threadFactory.newThread(this);
    private @Nullable Runnable first;

    /** For the active-thread gauge only; written without a fence, so it costs a task nothing. */
    @SuppressWarnings("UnusedVariable") // read and written through the BUSY VarHandle
    private boolean busy;

    Worker(Runnable first) {
      this.first = first;
    }

    @Override
    public void run() {
      Runnable next = first;
      first = null;
      try {
        while (true) {
          try {
            if (next == null && (next = take()) == null) {
              return;
            }
            Runnable entry = next;
            next = null;
            BUSY.setOpaque(this, true);
            // An interrupt a task left behind must not reach the next task; shutdownNow()'s must.
            Thread.interrupted();
            if (state >= STOP) {
              thread.interrupt();
            }
            runner.accept(entry);
          } catch (Throwable escaped) {
            // What the thread would have died of: reported where its death would have been, and the
            // worker goes on, so that the queue never lacks a thread.
            reportEscaped(escaped);
          } finally {
            BUSY.setOpaque(this, false);
          }
        }
      } finally {
        synchronized (lifecycle) {
          alive--;
        }
        tryTerminate();
      }
    }

    /**
     * The next entry, or null when the worker should end: stopped, or shut down with the queue
     * empty.
     */
    private @Nullable Runnable take() {
      while (state < STOP) {
        try {
          return queue.take();
        } catch (InterruptedException e) {
          // shutdownNow(), or an interrupt a task left behind: look at the state again.
        }
      }
      return null;
    }

    private void reportEscaped(Throwable escaped) {
      try {
        thread.getUncaughtExceptionHandler().uncaughtException(thread, escaped);
      } catch (Throwable ignored) {
        // Even the report failed (no memory left to print it): the worker must still go on.
      }
    }
  }
}
