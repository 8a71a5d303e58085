package dev.oomguard.executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Each policy under a saturated pool: one worker held by a {@link Gate}, a queue of two holding
 * tasks a and b, and task c finding it full.
 */
class OverflowPolicyTest {
  private final List<String> ran = new CopyOnWriteArrayList<>();
  private final List<Runnable> discarded = new CopyOnWriteArrayList<>();
  private final Gate gate = new Gate();
  private BoundedThreadPool pool =
      (BoundedThreadPool) BoundedExecutors.newFixedThreadPool("unused", 1, 1);

  @AfterEach
  void tearDown() throws InterruptedException {
    gate.openAndStop(pool);
  }

  @Test
  void reject_whenQueueFull_throwsNamingExecutorQueueSizeAndCapacity() throws Exception {
    saturate(OverflowPolicy.reject());

    assertThatThrownBy(() -> pool.submit(task("c")))
        .isInstanceOf(TaskRejectedException.class)
        .hasMessage("executor 'orders' rejected a task: queue full (2 of 2)")
        .satisfies(e -> assertThat(((TaskRejectedException) e).isShutdown()).isFalse());
    assertThat(pool.rejected.sum()).isEqualTo(1);
    assertThat(drain()).containsExactly("a", "b");
  }

  @Test
  void reject_whenExecuteGivenAFutureTask_cancelsIt() throws Exception {
    saturate(OverflowPolicy.reject());
    FutureTask<String> c = new FutureTask<>(() -> "c");

    assertThatThrownBy(() -> pool.execute(c)).isInstanceOf(TaskRejectedException.class);

    assertThat(c.isCancelled()).as("a caller holding the Future does not wait forever").isTrue();
  }

  @Test
  void callerRuns_whenQueueFull_runsTaskOnTheSubmittingThread() throws Exception {
    saturate(OverflowPolicy.callerRuns());
    AtomicReference<Thread> ranOn = new AtomicReference<>();

    Future<?> c = pool.submit(() -> ranOn.set(Thread.currentThread()));

    assertThat(c.isDone()).as("done when submit returns").isTrue();
    assertThat(ranOn.get()).isSameAs(Thread.currentThread());
    assertThat(drain()).containsExactly("a", "b");
  }

  @Test
  void callerRuns_taskThatThrows_throwsToTheCaller() throws Exception {
    saturate(OverflowPolicy.callerRuns());

    assertThatThrownBy(
            () ->
                pool.execute(
                    () -> {
                      throw new IllegalStateException("failed on the caller");
                    }))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("failed on the caller");
    assertThat(pool.failed.sum()).as("the caller saw it; the pool did not swallow it").isZero();
  }

  @Test
  void callerRuns_afterShutdown_rejectsAndCancelsTheFuture() {
    pool =
        (BoundedThreadPool)
            BoundedExecutors.builder("orders")
                .threads(1)
                .queueCapacity(1)
                .overflow(OverflowPolicy.callerRuns())
                .build();
    pool.shutdown();
    FutureTask<String> task = new FutureTask<>(() -> "ran");

    // The JDK's CallerRunsPolicy drops the task silently here, and its Future never completes.
    assertThatThrownBy(() -> pool.execute(task))
        .isInstanceOf(TaskRejectedException.class)
        .hasMessage("executor 'orders' is shut down; task rejected");
    assertThat(task.isCancelled()).isTrue();
  }

  @Test
  void discardNewest_whenQueueFull_cancelsTheNewTaskAndPassesItToTheCallback() throws Exception {
    saturate(OverflowPolicy.discardNewest(discarded::add));

    Future<?> c = pool.submit(task("c"));

    assertThat(c.isCancelled()).isTrue();
    assertThat(discarded).containsExactly((Runnable) c);
    assertThat(pool.discarded.sum()).isEqualTo(1);
    assertThat(drain()).containsExactly("a", "b");
  }

  @Test
  void discardOldest_whenQueueFull_cancelsTheOldestAndQueuesTheNewTask() throws Exception {
    List<Future<?>> queued = saturate(OverflowPolicy.discardOldest(discarded::add));

    Future<?> c = pool.submit(task("c"));

    Future<?> a = queued.get(0);
    assertThat(a.isCancelled()).isTrue();
    assertThat(discarded).containsExactly((Runnable) a);
    assertThat(pool.discarded.sum()).isEqualTo(1);
    assertThat(drain()).containsExactly("b", "c");
    assertThat(c.get(20, TimeUnit.SECONDS)).isNull();
  }

  @Test
  void block_whenQueueFull_makesTheSubmitterWaitForRoom() throws Exception {
    saturate(OverflowPolicy.block(Duration.ofMinutes(1)));
    ExecutorService submitter = Executors.newSingleThreadExecutor();
    try {
      AtomicReference<Thread> submitting = new AtomicReference<>();
      CompletableFuture<Future<?>> c =
          CompletableFuture.supplyAsync(
              () -> {
                submitting.set(Thread.currentThread());
                return pool.submit(task("c"));
              },
              submitter);

      await()
          .atMost(Gate.TIMEOUT)
          .until(
              () ->
                  submitting.get() != null
                      && submitting.get().getState() == Thread.State.TIMED_WAITING);
      assertThat(c).as("still waiting for room").isNotDone();

      gate.open();
      assertThat(c.get(20, TimeUnit.SECONDS).get(20, TimeUnit.SECONDS))
          .as("c queued, then ran")
          .isNull();
      assertThat(drain()).containsExactly("a", "b", "c");
      assertThat(pool.rejected.sum()).isZero();
    } finally {
      submitter.shutdownNow();
    }
  }

  @Test
  void block_whenNoRoomWithinMaxWait_rejects() throws Exception {
    saturate(OverflowPolicy.block(Duration.ofMillis(50)));

    assertThatThrownBy(() -> pool.submit(task("c")))
        .isInstanceOf(TaskRejectedException.class)
        .hasMessageContaining("queue full (2 of 2)");
    assertThat(pool.rejected.sum()).isEqualTo(1);
    assertThat(drain()).containsExactly("a", "b");
  }

  @Test
  void block_whenSubmitterIsInterrupted_rejectsAndKeepsTheInterrupt() throws Exception {
    saturate(OverflowPolicy.block(Duration.ofMinutes(1)));
    FutureTask<String> c = new FutureTask<>(() -> "c");

    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> pool.execute(c)).isInstanceOf(TaskRejectedException.class);
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
    assertThat(c.isCancelled()).isTrue();
  }

  @Test
  void customPolicy_whenQueueFull_receivesTheTaskAsGivenAndTheExecutor() throws Exception {
    List<Runnable> handedOff = new CopyOnWriteArrayList<>();
    AtomicReference<String> executorName = new AtomicReference<>();
    saturate(
        (task, executor) -> {
          executorName.set(executor.name());
          handedOff.add(task);
        });

    Future<?> c = pool.submit(task("c"));

    assertThat(executorName.get()).isEqualTo("orders");
    assertThat(handedOff).containsExactly((Runnable) c);
    assertThat(c).as("handed off, not run yet").isNotDone();
    handedOff.get(0).run();
    assertThat(c.isDone()).isTrue();
    assertThat(drain()).containsExactly("c", "a", "b");
  }

  @Test
  void customPolicy_thatThrows_countsARejectionAndCancelsTheFuture() throws Exception {
    saturate(
        (task, executor) -> {
          throw new IllegalStateException("the store is down");
        });
    FutureTask<String> c = new FutureTask<>(() -> "c");

    assertThatThrownBy(() -> pool.execute(c))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the store is down");

    assertThat(c.isCancelled()).isTrue();
    assertThat(pool.rejected.sum()).isEqualTo(1);
  }

  @Test
  void customPolicy_fallingBackToABuiltIn_getsTheBuiltInBehaviour() throws Exception {
    saturate(
        (task, executor) ->
            OverflowPolicy.discardNewest(discarded::add).onOverflow(task, executor));

    Future<?> c = pool.submit(task("c"));

    assertThat(c.isCancelled()).isTrue();
    assertThat(discarded).containsExactly((Runnable) c);
  }

  @Test
  void customPolicy_fallingBackToReject_countsTheRejectionOnce() throws Exception {
    saturate((task, executor) -> OverflowPolicy.reject().onOverflow(task, executor));
    FutureTask<String> c = new FutureTask<>(() -> "c");

    assertThatThrownBy(() -> pool.execute(c)).isInstanceOf(TaskRejectedException.class);

    assertThat(pool.rejected.sum()).isEqualTo(1);
    assertThat(c.isCancelled()).isTrue();
  }

  /** Holds the single worker with the gate and fills the queue of two with a and b. */
  private List<Future<?>> saturate(OverflowPolicy policy) throws InterruptedException {
    pool =
        (BoundedThreadPool)
            BoundedExecutors.builder("orders").threads(1).queueCapacity(2).overflow(policy).build();
    gate.hold(pool);
    List<Future<?>> queued = List.of(pool.submit(task("a")), pool.submit(task("b")));
    assertThat(pool.queueSize()).isEqualTo(2);
    return queued;
  }

  /** Opens the gate, lets the pool finish what it holds, and returns what ran, in order. */
  private List<String> drain() throws InterruptedException {
    gate.open();
    pool.shutdown();
    assertThat(pool.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
    return ran;
  }

  private Runnable task(String label) {
    return () -> ran.add(label);
  }
}
