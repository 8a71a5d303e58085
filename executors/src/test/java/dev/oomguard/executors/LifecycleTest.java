package dev.oomguard.executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/** Threads, failing tasks and the ways to stop an executor. */
class LifecycleTest {
  private final List<String> ran = new CopyOnWriteArrayList<>();
  private final Gate gate = new Gate();

  @Test
  void newFixedThreadPool_namesItsWorkersAfterTheExecutor() throws Exception {
    BoundedExecutorService pool = BoundedExecutors.newFixedThreadPool("images", 2, 10);
    CountDownLatch bothRunning = new CountDownLatch(2);
    List<String> names = new CopyOnWriteArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        pool.execute(
            () -> {
              names.add(Thread.currentThread().getName());
              bothRunning.countDown();
              awaitQuietly(bothRunning);
            });
      }
      assertThat(bothRunning.await(20, TimeUnit.SECONDS)).isTrue();
    } finally {
      pool.close();
    }

    assertThat(names).containsExactlyInAnyOrder("images-1", "images-2");
    assertThat(pool.name()).isEqualTo("images");
    assertThat(pool.queueCapacity()).isEqualTo(10);
  }

  @Test
  void daemon_whenSet_makesDaemonWorkers() throws Exception {
    try (BoundedExecutorService pool =
        BoundedExecutors.builder("bg").threads(1).daemon(true).build()) {
      assertThat(pool.submit(() -> Thread.currentThread().isDaemon()).get(20, TimeUnit.SECONDS))
          .isTrue();
    }
  }

  @Test
  void daemon_byDefault_isOff() throws Exception {
    try (BoundedExecutorService pool = BoundedExecutors.builder("fg").threads(1).build()) {
      assertThat(pool.submit(() -> Thread.currentThread().isDaemon()).get(20, TimeUnit.SECONDS))
          .isFalse();
    }
  }

  @Test
  void execute_whenATaskThrows_countsItAndTheSameWorkerRunsTheNextTask() throws Exception {
    AtomicReference<Throwable> reported = new AtomicReference<>();
    BoundedThreadPool pool =
        (BoundedThreadPool)
            BoundedExecutors.builder("jobs")
                .threads(1)
                .uncaughtExceptionHandler((thread, e) -> reported.set(e))
                .build();
    AtomicReference<Thread> first = new AtomicReference<>();
    IllegalStateException failure = new IllegalStateException("boom");
    try {
      pool.execute(
          () -> {
            first.set(Thread.currentThread());
            throw failure;
          });
      Future<Thread> next = pool.submit(Thread::currentThread);

      assertThat(next.get(20, TimeUnit.SECONDS)).as("the worker survived").isSameAs(first.get());
    } finally {
      pool.close();
    }
    assertThat(reported.get()).isSameAs(failure);
    assertThat(pool.failed.sum()).isEqualTo(1);
    assertThat(pool.completedCount()).isEqualTo(2);
  }

  @Test
  void submit_whenATaskThrows_keepsTheFailureInItsFuture() throws Exception {
    BoundedThreadPool pool = (BoundedThreadPool) BoundedExecutors.newFixedThreadPool("jobs", 1, 1);
    try {
      Future<Object> future =
          pool.submit(
              () -> {
                throw new IllegalStateException("boom");
              });

      assertThatThrownBy(() -> future.get(20, TimeUnit.SECONDS))
          .hasCauseInstanceOf(IllegalStateException.class);
    } finally {
      pool.close();
    }
    assertThat(pool.failed.sum()).as("not an uncaught failure").isZero();
  }

  @Test
  void shutdown_withQueuedTasks_runsThemAll() throws Exception {
    BoundedExecutorService pool = heldPool("jobs", 3);
    pool.execute(task("a"));
    pool.execute(task("b"));

    pool.shutdown();
    gate.open();

    assertThat(pool.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
    assertThat(ran).containsExactly("a", "b");
  }

  @Test
  void shutdownNow_withQueuedTasks_returnsThemAsTheyWereGiven() throws Exception {
    BoundedExecutorService pool = heldPool("jobs", 3);
    Runnable a = task("a");
    pool.execute(a);
    Future<?> b = pool.submit(task("b"));

    List<Runnable> returned = pool.shutdownNow();

    assertThat(returned).containsExactly(a, (Runnable) b);
    assertThat(pool.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
    assertThat(gate.wasInterrupted()).as("the running task is interrupted").isTrue();
    assertThat(ran).isEmpty();
  }

  @Test
  void shutdown_racingWorkersBetweenTasks_neverInterruptsARunningTask() throws Exception {
    // shutdown() wakes idle workers but interrupts nobody: the JDK's contract, which a pool that
    // woke
    // them by interrupt could break for a worker that had just taken a task. Each round shuts down
    // while two workers go from task to task.
    int rounds = 300;
    int tasks = 40;
    LongAdder ranTasks = new LongAdder();
    LongAdder sawInterrupt = new LongAdder();
    for (int round = 0; round < rounds; round++) {
      BoundedExecutorService pool = BoundedExecutors.newFixedThreadPool("race", 2, tasks);
      for (int i = 0; i < tasks; i++) {
        pool.execute(
            () -> {
              for (int spin = 0; spin < 200; spin++) {
                Thread.onSpinWait();
              }
              if (Thread.currentThread().isInterrupted()) {
                sawInterrupt.increment();
              }
              ranTasks.increment();
            });
      }
      pool.shutdown();
      assertThat(pool.awaitTermination(20, TimeUnit.SECONDS))
          .as("round %d terminated", round)
          .isTrue();
    }

    assertThat(ranTasks.sum()).isEqualTo((long) rounds * tasks);
    assertThat(sawInterrupt.sum()).as("tasks that saw shutdown()'s wake-up").isZero();
  }

  @Test
  void shutdown_racingTheFirstSubmits_leavesNoAcceptedTaskWithoutAWorker() throws Exception {
    // The first tasks start the workers; shutdown() racing them must not terminate the pool with an
    // accepted task still queued and no thread left to run it.
    ExecutorService producers = java.util.concurrent.Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 300; round++) {
        BoundedExecutorService pool = BoundedExecutors.newFixedThreadPool("race", 2, 64);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> accepted = new CopyOnWriteArrayList<>();
        List<Future<?>> producing = new ArrayList<>();
        for (int p = 0; p < 2; p++) {
          producing.add(
              producers.submit(
                  () -> {
                    go.await();
                    for (int i = 0; i < 16; i++) {
                      try {
                        accepted.add(pool.submit(() -> {}));
                      } catch (TaskRejectedException e) {
                        assertThat(e.isShutdown()).isTrue();
                      }
                    }
                    return null;
                  }));
        }
        go.countDown();
        pool.shutdown();
        for (Future<?> producer : producing) {
          producer.get(20, TimeUnit.SECONDS);
        }
        assertThat(pool.awaitTermination(20, TimeUnit.SECONDS))
            .as("round %d terminated", round)
            .isTrue();
        for (Future<?> task : accepted) {
          assertThat(task.isDone()).as("round %d: an accepted task ran", round).isTrue();
          assertThat(task.isCancelled()).isFalse();
        }
      }
    } finally {
      producers.shutdownNow();
    }
  }

  @Test
  void shutdown_withEveryWorkerIdle_wakesThemAndTerminates() throws Exception {
    BoundedThreadPool pool = (BoundedThreadPool) BoundedExecutors.newFixedThreadPool("idle", 3, 3);
    List<Thread> workers = new CopyOnWriteArrayList<>();
    CountDownLatch allStarted = new CountDownLatch(3);
    for (int i = 0; i < 3; i++) {
      pool.execute(
          () -> {
            workers.add(Thread.currentThread());
            allStarted.countDown();
            awaitQuietly(allStarted);
          });
    }
    assertThat(allStarted.await(20, TimeUnit.SECONDS)).isTrue();
    await().atMost(Gate.TIMEOUT).until(() -> pool.activeCount() == 0);
    assertThat(pool.poolSize()).isEqualTo(3);

    pool.shutdown();

    assertThat(pool.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
    assertThat(pool.poolSize()).isZero();
    for (Thread worker : workers) {
      worker.join(TimeUnit.SECONDS.toMillis(20));
      assertThat(worker.isAlive()).as(worker.getName()).isFalse();
    }
  }

  @Test
  void execute_afterATaskLeftItsThreadInterrupted_theWorkerGoesOnAndTheNextTaskIsNotInterrupted()
      throws Exception {
    BoundedExecutorService pool = BoundedExecutors.newFixedThreadPool("jobs", 1, 4);
    try {
      Future<Thread> first =
          pool.submit(
              () -> {
                Thread.currentThread().interrupt();
                return Thread.currentThread();
              });
      Future<Boolean> next = pool.submit(() -> Thread.currentThread().isInterrupted());
      Future<Thread> last = pool.submit(Thread::currentThread);

      assertThat(next.get(20, TimeUnit.SECONDS)).isFalse();
      assertThat(last.get(20, TimeUnit.SECONDS)).isSameAs(first.get(20, TimeUnit.SECONDS));
    } finally {
      pool.close();
    }
  }

  @Test
  void submit_afterShutdown_isRejectedNamingTheExecutor() {
    BoundedThreadPool pool = (BoundedThreadPool) BoundedExecutors.newFixedThreadPool("jobs", 1, 1);
    pool.shutdown();

    assertThatThrownBy(() -> pool.submit(task("late")))
        .isInstanceOf(TaskRejectedException.class)
        .hasMessage("executor 'jobs' is shut down; task rejected");
    assertThat(pool.rejected.sum()).isEqualTo(1);
  }

  @Test
  void close_whenTheWorkFinishesInTime_runsTheQueuedTasks() throws Exception {
    BoundedExecutorService pool = heldPool("jobs", 3);
    pool.execute(task("a"));
    gate.open();

    pool.close();

    assertThat(pool.isTerminated()).isTrue();
    assertThat(ran).containsExactly("a");
  }

  @Test
  void closeWithTimeout_whenATaskOutlastsTheTimeout_interruptsItAndCancelsTheQueuedFutures()
      throws Exception {
    BoundedThreadPool pool =
        (BoundedThreadPool)
            BoundedExecutors.builder("jobs")
                .threads(1)
                .queueCapacity(3)
                .closeTimeout(Duration.ofMillis(50))
                .build();
    pool.execute(gate);
    gate.awaitStarted();
    Future<?> a = pool.submit(task("a"));

    pool.closeWithTimeout();

    assertThat(pool.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
    assertThat(gate.wasInterrupted()).isTrue();
    assertThat(a.isCancelled()).isTrue();
    assertThat(pool.discarded.sum()).isEqualTo(1);
    assertThat(ran).isEmpty();
  }

  @Test
  void closeWithTimeout_whenATaskIgnoresTheInterrupt_returnsFalseWithoutWaitingForIt()
      throws Exception {
    BoundedExecutorService pool =
        BoundedExecutors.builder("jobs").threads(1).closeTimeout(Duration.ofMillis(50)).build();
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch started = new CountDownLatch(1);
    pool.execute(
        () -> {
          started.countDown();
          awaitUninterruptibly(release);
        });
    assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();

    assertThat(pool.closeWithTimeout()).as("terminated").isFalse();

    release.countDown();
    assertThat(pool.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void closeWithTimeout_whenTheCallerIsInterrupted_stopsAtOnceAndKeepsTheInterrupt()
      throws Exception {
    BoundedThreadPool pool =
        (BoundedThreadPool)
            BoundedExecutors.builder("jobs")
                .threads(1)
                .queueCapacity(3)
                .closeTimeout(Duration.ofMinutes(5))
                .build();
    pool.execute(gate);
    gate.awaitStarted();
    Future<?> a = pool.submit(task("a"));

    Thread.currentThread().interrupt();
    try {
      pool.closeWithTimeout();
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }

    assertThat(pool.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
    assertThat(a.isCancelled()).isTrue();
  }

  @Test
  void
      close_whenTheCallerIsInterrupted_returnsTerminatedWithTheInterruptSetAndTheQueuedFuturesCancelled()
          throws Exception {
    BoundedThreadPool pool =
        (BoundedThreadPool) BoundedExecutors.builder("jobs").threads(1).queueCapacity(3).build();
    pool.execute(gate);
    gate.awaitStarted();
    Future<?> a = pool.submit(task("a"));

    boolean interruptedAfter;
    Thread.currentThread().interrupt();
    try {
      pool.close();
    } finally {
      interruptedAfter = Thread.interrupted();
    }

    assertThat(interruptedAfter).as("interrupt status re-asserted").isTrue();
    assertThat(pool.isTerminated()).as("terminated when close() returned").isTrue();
    assertThat(gate.wasInterrupted()).isTrue();
    assertThat(a.isCancelled()).isTrue();
    assertThat(pool.discarded.sum()).isEqualTo(1);
  }

  @Test
  void close_whenInterruptedWhileATaskIgnoresInterrupts_keepsWaitingUntilTheTaskEnds()
      throws Exception {
    BoundedExecutorService pool = BoundedExecutors.newFixedThreadPool("jobs", 1, 1);
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch sawInterrupt = new CountDownLatch(1);
    pool.execute(
        () -> {
          started.countDown();
          while (true) {
            try {
              release.await(20, TimeUnit.SECONDS);
              return;
            } catch (InterruptedException e) {
              sawInterrupt.countDown(); // and goes on waiting
            }
          }
        });
    assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();
    AtomicReference<Boolean> terminatedOnReturn = new AtomicReference<>();
    AtomicReference<Boolean> interruptedOnReturn = new AtomicReference<>();
    Thread closer =
        new Thread(
            () -> {
              pool.close();
              terminatedOnReturn.set(pool.isTerminated());
              interruptedOnReturn.set(Thread.currentThread().isInterrupted());
            });
    closer.start();
    await().atMost(Gate.TIMEOUT).until(() -> closer.getState() == Thread.State.TIMED_WAITING);

    closer.interrupt();

    assertThat(sawInterrupt.await(20, TimeUnit.SECONDS))
        .as("close() stopped the pool when interrupted")
        .isTrue();
    await().atMost(Gate.TIMEOUT).until(() -> closer.getState() == Thread.State.TIMED_WAITING);
    assertThat(closer.isAlive()).as("still waiting for the running task").isTrue();
    assertThat(pool.isTerminated()).isFalse();
    release.countDown();
    closer.join(TimeUnit.SECONDS.toMillis(20));
    assertThat(closer.isAlive()).isFalse();
    assertThat(terminatedOnReturn.get()).isTrue();
    assertThat(interruptedOnReturn.get()).isTrue();
  }

  @Test
  void close_withALongRunningTask_returnsOnlyOnceItHasEnded() throws Exception {
    BoundedExecutorService pool =
        BoundedExecutors.builder("jobs").threads(1).closeTimeout(Duration.ZERO).build();
    pool.execute(gate);
    gate.awaitStarted();
    pool.execute(task("a"));
    Thread closer = new Thread(pool::close);
    closer.start();
    await().atMost(Gate.TIMEOUT).until(() -> closer.getState() == Thread.State.TIMED_WAITING);

    assertThat(closer.isAlive()).as("close() ignores closeTimeout: it waits").isTrue();
    gate.open();
    closer.join(TimeUnit.SECONDS.toMillis(20));

    assertThat(closer.isAlive()).isFalse();
    assertThat(pool.isTerminated()).isTrue();
    assertThat(ran).containsExactly("a");
  }

  private BoundedExecutorService heldPool(String name, int capacity) throws InterruptedException {
    BoundedExecutorService pool = BoundedExecutors.newFixedThreadPool(name, 1, capacity);
    pool.execute(gate);
    gate.awaitStarted();
    return pool;
  }

  private Runnable task(String label) {
    return () -> ran.add(label);
  }

  /**
   * Waits for the latch as a task that ignores interrupts would, keeping the interrupt for later.
   */
  private static void awaitUninterruptibly(CountDownLatch latch) {
    boolean interrupted = false;
    while (true) {
      try {
        latch.await(20, TimeUnit.SECONDS);
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(20, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
