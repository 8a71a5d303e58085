package dev.oomguard.executors;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * When reporting a failed task fails too: the user's handler, or the default log, throws an {@code
 * Error} (an {@code OutOfMemoryError} while logging is likely in exactly the situations this
 * library is for). No worker may be lost to it: every task still runs or is returned, every {@code
 * Future} completes, and the pool terminates. Each escaped Error goes to the worker's
 * uncaught-exception handler, which here collects them instead of printing.
 */
class WorkerFailureTest {
  private static final int FAILING = 20;
  private static final int SUBMITTED = 40;

  private final List<Throwable> escaped = new CopyOnWriteArrayList<>();
  private final LongAdder ran = new LongAdder();
  private Thread.UncaughtExceptionHandler previousDefault;

  @BeforeEach
  void collectEscapedErrors() {
    previousDefault = Thread.getDefaultUncaughtExceptionHandler();
    Thread.setDefaultUncaughtExceptionHandler((thread, e) -> escaped.add(e));
  }

  @AfterEach
  void restore() {
    Thread.setDefaultUncaughtExceptionHandler(previousDefault);
  }

  @Test
  void uncaughtExceptionHandler_thatThrowsOutOfMemoryErrorForEveryFailure_losesNoWorkerAndNoTask()
      throws Exception {
    OutOfMemoryError handlerFailure = new OutOfMemoryError("the handler ran out of memory");
    BoundedThreadPool pool =
        (BoundedThreadPool)
            BoundedExecutors.builder("jobs")
                .threads(2)
                .queueCapacity(100)
                .uncaughtExceptionHandler(
                    (thread, e) -> {
                      throw handlerFailure;
                    })
                .build();

    List<Future<?>> futures = submitMixed(pool);
    pool.shutdown();

    assertThat(pool.awaitTermination(20, TimeUnit.SECONDS)).as("terminated").isTrue();
    assertEveryTaskRanAndEveryFutureCompleted(pool, futures);
    assertThat(escaped).hasSize(FAILING).allMatch(e -> e == handlerFailure);
  }

  @Test
  void uncaughtExceptionHandler_thatThrowsAnError_theWorkersGoOnOnTheSameThreads()
      throws Exception {
    BoundedThreadPool pool =
        (BoundedThreadPool)
            BoundedExecutors.builder("jobs")
                .threads(1)
                .queueCapacity(100)
                .uncaughtExceptionHandler(
                    (thread, e) -> {
                      throw new AssertionError("the handler fails");
                    })
                .build();
    try {
      Thread first = pool.submit(Thread::currentThread).get(20, TimeUnit.SECONDS);
      for (int i = 0; i < 5; i++) {
        pool.execute(
            () -> {
              throw new IllegalStateException("task fails");
            });
      }

      assertThat(pool.submit(Thread::currentThread).get(20, TimeUnit.SECONDS)).isSameAs(first);
      assertThat(pool.poolSize()).isEqualTo(1);
      assertThat(pool.failed.sum()).isEqualTo(5);
    } finally {
      pool.shutdown();
    }
    assertThat(pool.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void defaultLogging_thatThrowsOutOfMemoryError_losesNoWorkerAndNoTask() throws Exception {
    // The pool logs through System.Logger, which goes to java.util.logging unless told otherwise.
    Logger logger = Logger.getLogger(BoundedExecutorService.class.getName());
    AtomicInteger published = new AtomicInteger();
    OutOfMemoryError loggingFailure = new OutOfMemoryError("no memory to format the record");
    Handler failing =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            published.incrementAndGet();
            throw loggingFailure;
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    boolean useParent = logger.getUseParentHandlers();
    logger.addHandler(failing);
    logger.setUseParentHandlers(false);
    try {
      BoundedThreadPool pool =
          (BoundedThreadPool) BoundedExecutors.newFixedThreadPool("jobs", 2, 100);

      List<Future<?>> futures = submitMixed(pool);
      pool.shutdown();

      assertThat(pool.awaitTermination(20, TimeUnit.SECONDS)).as("terminated").isTrue();
      assertEveryTaskRanAndEveryFutureCompleted(pool, futures);
      assertThat(published.get()).as("the pool logged each failure").isEqualTo(FAILING);
      assertThat(escaped).hasSize(FAILING).allMatch(e -> e == loggingFailure);
    } finally {
      logger.removeHandler(failing);
      logger.setUseParentHandlers(useParent);
    }
  }

  @Test
  void shutdownNow_afterHandlersThrewErrors_returnsEveryQueuedTask() throws Exception {
    BoundedThreadPool pool =
        (BoundedThreadPool)
            BoundedExecutors.builder("jobs")
                .threads(1)
                .queueCapacity(100)
                .uncaughtExceptionHandler(
                    (thread, e) -> {
                      throw new OutOfMemoryError("handler");
                    })
                .build();
    Gate gate = new Gate();
    for (int i = 0; i < 2; i++) {
      pool.execute(
          () -> {
            throw new IllegalStateException("fails before the gate");
          });
    }
    gate.hold(pool);
    List<Runnable> queued = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      Runnable task = ran::increment;
      queued.add(task);
      pool.execute(task);
    }

    List<Runnable> returned = new ArrayList<>(pool.shutdownNow());
    gate.open();

    assertThat(pool.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
    assertThat(returned).containsExactlyElementsOf(queued);
    assertThat(ran.sum()).isZero();
    assertThat(escaped).hasSize(2);
  }

  /** FAILING tasks given to execute() that throw, between tasks given to submit(). */
  private List<Future<?>> submitMixed(BoundedThreadPool pool) {
    List<Future<?>> futures = Collections.synchronizedList(new ArrayList<>());
    for (int i = 0; i < SUBMITTED; i++) {
      if (i % 2 == 0) {
        pool.execute(
            () -> {
              ran.increment();
              throw new IllegalStateException("task fails");
            });
      } else {
        futures.add(pool.submit(ran::increment));
      }
    }
    return futures;
  }

  private void assertEveryTaskRanAndEveryFutureCompleted(
      BoundedThreadPool pool, List<Future<?>> futures) throws Exception {
    assertThat(ran.sum()).as("tasks run").isEqualTo(SUBMITTED);
    for (Future<?> future : futures) {
      assertThat(future.get(20, TimeUnit.SECONDS)).isNull();
    }
    assertThat(pool.failed.sum()).isEqualTo(FAILING);
    assertThat(pool.completedCount()).isEqualTo(SUBMITTED);
    assertThat(pool.queueSize()).isZero();
  }
}
