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
 * The fixed set of threads behind a {@link BoundedThreadPool}: each takes the next element of the
 * queue and hands it to the pool's runner, until shutdown. The runner catches what a task throws,
 * so a worker never dies and is never replaced. A JDK {@code ThreadPoolExecutor} would need a
 * wrapper around every task to keep its workers alive (measured: an eighth of the throughput of
 * small tasks), and it takes a lock per task so that shutdown's interrupts miss running tasks.
 *
 * <p>Lifecycle as the JDK pool's: {@code shutdown()} closes the queue, so that workers drain it and
 * end, and interrupts nobody; {@code shutdownNow()} drains the queue and interrupts every worker.
 * Each of the first tasks starts a thread of its own and goes to it directly, not through the
 * queue.
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
  /** Guards starting threads, the state changes of shutdown and termination, and {@link #alive}. */
  private final Object lifecycle = new Object();
  private final CountDownLatch terminated = new CountDownLatch(1);
  private volatile int state = RUNNING;
  /** Set once every thread has started: from then on, the one check on the path of each task. */
  private volatile boolean started;
  private int startedCount;
  private volatile int alive;

  /** {@code runner} must not throw: it is given every element the workers take. */
  WorkerThreads(int threads, WorkQueue queue, Consumer<Runnable> runner, ThreadFactory threadFactory,
      Runnable onTerminated) {
    this.queue = queue;
    this.runner = runner;
    this.threadFactory = threadFactory;
    this.workers = new Worker[threads];
    this.onTerminated = onTerminated;
  }

  /** Starts a thread for {@code first} if not all have started and the pool runs; false otherwise. */
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

  /** No new tasks; the queued ones still run, then the workers end. */
  void shutdown() {
    synchronized (lifecycle) {
      if (state < SHUTDOWN) {
        state = SHUTDOWN;
      }
    }
    queue.close();
    tryTerminate();
  }

  /** Stops taking tasks, interrupts every worker, and returns the queue's elements in order. */
  List<Runnable> shutdownNow() {
    List<Runnable> drained;
    synchronized (lifecycle) {
      if (state < STOP) {
        state = STOP;
      }
      for (Worker worker : workers) {
        if (worker != null) {
          worker.thread.interrupt();
        }
      }
      drained = queue.drain();
    }
    queue.close();
    tryTerminate();
    return drained;
  }

  boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    return terminated.await(timeout, unit);
  }

  /** Terminates once shut down and every worker has ended; runs the hook once, before waiters wake. */
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
    private boolean busy;

    Worker(Runnable first) {
      this.first = first;
    }

    @Override
    public void run() {
      Runnable next = first;
      first = null;
      try {
        while (next != null) {
          BUSY.setOpaque(this, true);
          // An interrupt a task left behind must not reach the next task; shutdownNow()'s must.
          Thread.interrupted();
          if (state >= STOP) {
            Thread.currentThread().interrupt();
          }
          runner.accept(next);
          BUSY.setOpaque(this, false);
          next = take();
        }
      } finally {
        synchronized (lifecycle) {
          alive--;
        }
        tryTerminate();
      }
    }

    /** The next element, or null when the worker should end: stopped, or shut down with the queue empty. */
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
  }
}
