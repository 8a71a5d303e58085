package dev.oomguard.executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The {@link ExecutorService} contract, in the manner of the JSR-166 TCK's executor tests: each
 * test runs against our pool and against a {@link ThreadPoolExecutor} of the same size, the
 * reference that shows the test asks for the JDK's behaviour and not for ours. The {@code close()}
 * tests run against the JDK pool only where it has {@code close()} (Java 19 and later): the build
 * runs this class on JDK 17 and, where it is installed, on JDK 25.
 */
class ExecutorServiceConformanceTest {
  private static final long WAIT_SECONDS = 20;
  private static final Duration WAIT = Duration.ofSeconds(WAIT_SECONDS);

  private final List<ExecutorService> made = new ArrayList<>();
  private final CountDownLatch release = new CountDownLatch(1);

  static Stream<Arguments> executors() {
    Supplier<ExecutorService> oomguard = () -> BoundedExecutors.newFixedThreadPool("tck", 2, 64);
    Supplier<ExecutorService> jdk =
        () -> new ThreadPoolExecutor(2, 2, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(64));
    return Stream.of(Arguments.of("oomguard", oomguard), Arguments.of("jdk", jdk));
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    release.countDown();
    for (ExecutorService executor : made) {
      executor.shutdownNow();
      assertThat(executor.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS))
          .as("terminated after the test")
          .isTrue();
    }
  }

  @Test
  void theJvm_isTheOneTheBuildAskedFor() {
    // The build runs this class a second time on a newer JDK, where installed, and says which.
    int expected = Integer.getInteger("oomguard.expected.java", 17);

    assertThat(Runtime.version().feature()).isGreaterThanOrEqualTo(expected);
    if (expected >= 19) {
      assertThat(ThreadPoolExecutor.class)
          .as("the JDK pool has close()")
          .isAssignableTo(AutoCloseable.class);
    }
  }

  // execute and submit

  @ParameterizedTest(name = "{0}")
  @MethodSource("executors")
  void execute_null_throwsNullPointerException(String impl, Supplier<ExecutorService> factory) {
    ExecutorService executor = make(factory);

    assertThatThrownBy(() -> executor.execute(null)).isInstanceOf(NullPointerException.class);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("executors")
  void submit_nullTasks_throwNullPointerException(String impl, Supplier<ExecutorService> factory) {
    ExecutorService executor = make(factory);

    assertThatThrownBy(() -> executor.submit((Runnable) null))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> executor.submit((Callable<?>) null))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> executor.submit(null, "result"))
        .isInstanceOf(NullPointerException.class);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("executors")
  void submit_eachForm_completesItsFutureWithTheResult(
      String impl, Supplier<ExecutorService> factory) throws Exception {
    ExecutorService executor = make(factory);
    AtomicBoolean ran = new AtomicBoolean();

    assertThat(executor.submit(() -> "called").get(WAIT_SECONDS, TimeUnit.SECONDS))
        .isEqualTo("called");
    assertThat(executor.submit(() -> ran.set(true), "given").get(WAIT_SECONDS, TimeUnit.SECONDS))
        .isEqualTo("given");
    assertThat(executor.submit(() -> {}).get(WAIT_SECONDS, TimeUnit.SECONDS)).isNull();
    assertThat(ran).isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("executors")
  void submit_aCallableThatThrows_failsItsFutureWithTheCause(
      String impl, Supplier<ExecutorService> factory) {
    ExecutorService executor = make(factory);
    IllegalStateException failure = new IllegalStateException("boom");

    Future<Object> future =
        executor.submit(
            () -> {
              throw failure;
            });

    assertThatThrownBy(() -> future.get(WAIT_SECONDS, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCause(failure);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("executors")
  void submit_aTaskThatThrowsAnError_failsItsFutureAndTheExecutorGoesOn(
      String impl, Supplier<ExecutorService> factory) throws Exception {
    ExecutorService executor = make(factory);
    Future<Object> failing =
        executor.submit(
            () -> {
              throw new OutOfMemoryError("simulated");
            });

    assertThatThrownBy(() -> failing.get(WAIT_SECONDS, TimeUnit.SECONDS))
        .hasCauseInstanceOf(OutOfMemoryError.class);
    for (int i = 0; i < 4; i++) {
      assertThat(executor.submit(() -> "after").get(WAIT_SECONDS, TimeUnit.SECONDS))
          .isEqualTo("after");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("executors")
  void execute_afterATaskLeftItsThreadInterrupted_theNextTaskIsNotInterrupted(
      String impl, Supplier<ExecutorService> factory) throws Exception {
    ExecutorService executor = make(factory);
    List<Future<Boolean>> next = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      executor.submit(() -> Thread.currentThread().interrupt());
      next.add(executor.submit(() -> Thread.currentThread().isInterrupted()));
    }

    for (Future<Boolean> interrupted : next) {
      assertThat(interrupted.get(WAIT_SECONDS, TimeUnit.SECONDS)).isFalse();
    }
  }

  // invokeAll

  @ParameterizedTest(name = "{0}")
  @MethodSource("executors")
  void invokeAll_nullArguments_throwNullPointerException(
      String impl, Supplier<ExecutorService> factory) {
    ExecutorService executor = make(factory);
    List<Callable<String>> withNull = Arrays.asList(() -> "a", null);

    assertThatThrownBy(() -> executor.invokeAll(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> executor.invokeAll(withNull)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> executor.invokeAll(List.of(() -> "a"), WAIT_SECONDS, null))
        .isInstanceOf(NullPointerException.class);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("executors")
  void invokeAll_empty_returnsAnEmptyList(String impl, Supplier<ExecutorService> factory)
      throws Exception {
    ExecutorService executor = make(factory);

    assertThat(executor.invokeAll(Collections.<Callable<String>>emptyList())).isEmpty();
    assertThat(
            executor.invokeAll(
                Collections.<Callable<String>>emptyList(), WAIT_SECONDS, TimeUnit.SECONDS))
        .isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("executors")
  void invokeAll_returnsEveryFutureDoneInTheOrderGivenWithFailuresKept(
      String impl, Supplier<ExecutorService> factory) throws Exception {
    ExecutorService executor = make(factory);
    List<Callable<String>> tasks = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      String label = "t" + i;
      tasks.add(
          i == 7
              ? () -> {
                throw new IllegalStateException(label);
              }
              : () -> label);
    }

    List<Future<String>> futures = executor.invokeAll(tasks);

    assertThat(futures).hasSize(20).allMatch(Future::isDone);
    for (int i = 0; i < 20; i++) {
      Future<String> future = futures.get(i);
      if (i == 7) {
        assertThatThrownBy(future::get).hasCauseInstanceOf(IllegalStateException.class);
      } else {
        assertThat(future.get()).isEqualTo("t" + i);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("executors")
  void invokeAllTimed_whenTheTimeoutPasses_cancelsTheUnfinishedTasks(
      String impl, Supplier<ExecutorService> factory) throws Exception {
    ExecutorService executor = make(factory);
    List<Callable<String>> tasks =
        List.of(
            () -> "quick",
            () -> {
              release.await();
              return "held";
            });

    // Long enough for the quick task on a busy machine; the held one never ends by itself.
    List<Future<String>> futures = executor.invokeAll(tasks, 1, TimeUnit.SECONDS);

    assertThat(futures).hasSize(2).allMatch(Future::isDone);
    assertThat(futures.get(0).get()).isEqualTo("quick");
    assertThat(futures.get(1).isCancelled()).isTrue();
  }

  // invokeAny

  @ParameterizedTest(name = "{0}")
  @MethodSource("executors")
  void invokeAny_nullArguments_throwNullPointerException(
      String impl, Supplier<ExecutorService> factory) {
    ExecutorService executor = make(factory);
    // The first task must not end before the null is reached: invokeAny would return its result.
    List<Callable<String>> withNull =
        Arrays.asList(
            () -> {
              release.await();
              return "a";
            },
            null);

    assertThatThrownBy(() -> executor.invokeAny(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> executor.invokeAny(withNull)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> executor.invokeAny(List.of(() -> "a"), WAIT_SECONDS, null))
        .isInstanceOf(NullPointerException.class);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("executors")
  void invokeAny_empty_throwsIllegalArgumentException(
      String impl, Supplier<ExecutorService> factory) {
    ExecutorService executor = make(factory);

    assertThatThrownBy(() -> executor.invokeAny(Collections.<Callable<String>>emptyList()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                executor.invokeAny(Collections.<Callable<String>>emptyList(), 1, TimeUnit.SECONDS))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("executors")
  void invokeAny_whenOneSucceeds_returnsItsResult(String impl, Supplier<ExecutorService> factory)
      throws Exception {
    ExecutorService executor = make(factory);
    List<Callable<String>> tasks =
        List.of(
            () -> {
              throw new IllegalStateException("first fails");
            },
            () -> "second");

    assertThat(executor.invokeAny(tasks)).isEqualTo("second");
    assertThat(executor.invokeAny(tasks, WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("second");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("executors")
  void invokeAny_whenEveryTaskFails_throwsExecutionException(
      String impl, Supplier<ExecutorService> factory) {
    ExecutorService executor = make(factory);
    List<Callable<String>> tasks =
        List.of(
            () -> {
              throw new IllegalStateException("a");
            },
            () -> {
              throw new IllegalStateException("b");
            });

    assertThatThrownBy(() -> executor.invokeAny(tasks))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(IllegalStateException.class);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("executors")
  void invokeAnyTimed_whenNoTaskEndsInTime_throwsTimeoutExceptionAndCancelsThem(
      String impl, Supplier<ExecutorService> factory) throws Exception {
    ExecutorService executor = make(factory);
    CountDownLatch interrupted = new CountDownLatch(1);
    List<Callable<String>> tasks =
        List.of(
            () -> {
              try {
                release.await();
              } catch (InterruptedException e) {
                interrupted.countDown();
              }
              return "held";
            });

    assertThatThrownBy(() -> executor.invokeAny(tasks, 50, TimeUnit.MILLISECONDS))
        .isInstanceOf(TimeoutException.class);
    assertThat(interrupted.await(WAIT_SECONDS, TimeUnit.SECONDS))
        .as("the task is cancelled, with an interrupt")
        .isTrue();
  }

  // shutdown, shutdownNow, awaitTermination

  @ParameterizedTest(name = "{0}")
  @MethodSource("executors")
  void newExecutor_isNeitherShutDownNorTerminated(String impl, Supplier<ExecutorService> factory) {
    ExecutorService executor = make(factory);

    assertThat(executor.isShutdown()).isFalse();
    assertThat(executor.isTerminated()).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("executors")
  void shutdown_runsWhatWasSubmittedAndRejectsWhatComesAfter(
      String impl, Supplier<ExecutorService> factory) throws Exception {
    ExecutorService executor = make(factory);
    Future<String> held =
        executor.submit(
            () -> {
              release.await();
              return "held";
            });
    List<Future<Integer>> queued = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      int n = i;
      queued.add(executor.submit(() -> n));
    }

    executor.shutdown();

    assertThat(executor.isShutdown()).isTrue();
    assertThatThrownBy(() -> executor.submit(() -> "late"))
        .isInstanceOf(RejectedExecutionException.class);
    assertThatThrownBy(() -> executor.execute(() -> {}))
        .isInstanceOf(RejectedExecutionException.class);
    assertThat(executor.awaitTermination(50, TimeUnit.MILLISECONDS))
        .as("a task still runs")
        .isFalse();
    assertThat(executor.isTerminated()).isFalse();
    release.countDown();
    assertThat(executor.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    assertThat(executor.isTerminated()).isTrue();
    assertThat(held.get()).isEqualTo("held");
    for (int i = 0; i < 10; i++) {
      assertThat(queued.get(i).get()).isEqualTo(i);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("executors")
  void shutdown_calledTwiceAndThenShutdownNow_doesNoHarm(
      String impl, Supplier<ExecutorService> factory) throws Exception {
    ExecutorService executor = make(factory);
    executor.submit(() -> {}).get(WAIT_SECONDS, TimeUnit.SECONDS);

    executor.shutdown();
    executor.shutdown();

    assertThat(executor.shutdownNow()).isEmpty();
    assertThat(executor.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("executors")
  void shutdownNow_interruptsRunningTasksAndReturnsTheQueuedOnes(
      String impl, Supplier<ExecutorService> factory) throws Exception {
    ExecutorService executor = make(factory);
    CountDownLatch running = new CountDownLatch(2);
    CountDownLatch interrupted = new CountDownLatch(2);
    for (int i = 0; i < 2; i++) {
      executor.execute(
          () -> {
            running.countDown();
            try {
              release.await();
            } catch (InterruptedException e) {
              interrupted.countDown();
            }
          });
    }
    assertThat(running.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    List<Runnable> queued = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      Runnable task = () -> {};
      queued.add(task);
      executor.execute(task);
    }

    List<Runnable> returned = executor.shutdownNow();

    assertThat(returned).containsExactlyElementsOf(queued);
    assertThat(interrupted.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    assertThat(executor.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    assertThatThrownBy(() -> executor.execute(() -> {}))
        .isInstanceOf(RejectedExecutionException.class);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("executors")
  void awaitTermination_beforeShutdown_timesOutWithFalse(
      String impl, Supplier<ExecutorService> factory) throws Exception {
    ExecutorService executor = make(factory);

    assertThat(executor.awaitTermination(10, TimeUnit.MILLISECONDS)).isFalse();
    assertThat(executor.awaitTermination(-1, TimeUnit.MILLISECONDS))
        .as("a negative timeout does not wait")
        .isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("executors")
  void awaitTermination_whenTheWaiterIsInterrupted_throwsInterruptedException(
      String impl, Supplier<ExecutorService> factory) {
    ExecutorService executor = make(factory);

    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> executor.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS))
          .isInstanceOf(InterruptedException.class);
      assertThat(Thread.currentThread().isInterrupted())
          .as("the exception cleared the status")
          .isFalse();
    } finally {
      Thread.interrupted();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("executors")
  void shutdown_ofAnIdleExecutor_terminatesIt(String impl, Supplier<ExecutorService> factory)
      throws Exception {
    ExecutorService executor = make(factory);
    executor.submit(() -> {}).get(WAIT_SECONDS, TimeUnit.SECONDS);

    executor.shutdown();

    assertThat(executor.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    assertThat(executor.isTerminated()).isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("executors")
  void shutdown_ofAnExecutorThatNeverRanATask_terminatesIt(
      String impl, Supplier<ExecutorService> factory) throws Exception {
    ExecutorService executor = make(factory);

    executor.shutdown();

    assertThat(executor.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
  }

  // close(): Java 19's ExecutorService.close()

  @ParameterizedTest(name = "{0}")
  @MethodSource("executors")
  void close_waitsForTheRunningAndQueuedTasksAndTerminates(
      String impl, Supplier<ExecutorService> factory) throws Exception {
    ExecutorService executor = make(factory);
    AutoCloseable closeable = closeable(executor);
    Future<String> held =
        executor.submit(
            () -> {
              release.await();
              return "held";
            });
    Future<String> queued = executor.submit(() -> "queued");
    AtomicReference<Boolean> doneOnReturn = new AtomicReference<>();
    Thread closer =
        new Thread(
            () -> {
              closeQuietly(closeable);
              doneOnReturn.set(held.isDone() && queued.isDone() && executor.isTerminated());
            });
    closer.start();
    await()
        .atMost(WAIT)
        .until(() -> executor.isShutdown() && closer.getState() == Thread.State.TIMED_WAITING);

    assertThat(closer.isAlive()).as("close() waits for the running task").isTrue();
    release.countDown();
    closer.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));

    assertThat(closer.isAlive()).isFalse();
    assertThat(doneOnReturn.get())
        .as("every task done and the executor terminated when close() returned")
        .isTrue();
    assertThat(queued.get()).isEqualTo("queued");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("executors")
  void close_whenTheCallerIsInterrupted_stopsTheTasksWaitsForThemAndKeepsTheInterrupt(
      String impl, Supplier<ExecutorService> factory) throws Exception {
    ExecutorService executor = make(factory);
    AutoCloseable closeable = closeable(executor);
    CountDownLatch running = new CountDownLatch(1);
    Future<String> held =
        executor.submit(
            () -> {
              running.countDown();
              release.await();
              return "held";
            });
    assertThat(running.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();

    boolean interruptedOnReturn;
    Thread.currentThread().interrupt();
    try {
      closeable.close();
    } finally {
      interruptedOnReturn = Thread.interrupted();
    }

    assertThat(interruptedOnReturn).isTrue();
    assertThat(executor.isTerminated()).isTrue();
    assertThatThrownBy(held::get)
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(InterruptedException.class);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("executors")
  void close_ofATerminatedExecutor_returnsAtOnceAndCanBeRepeated(
      String impl, Supplier<ExecutorService> factory) throws Exception {
    ExecutorService executor = make(factory);
    AutoCloseable closeable = closeable(executor);
    executor.shutdown();
    assertThat(executor.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();

    closeable.close();
    closeable.close();

    assertThat(executor.isTerminated()).isTrue();
  }

  @SuppressWarnings("try") // the resource is there to be closed, by the block
  @ParameterizedTest(name = "{0}")
  @MethodSource("executors")
  void close_inTryWithResources_theCodeAfterTheBlockSeesEveryTaskDone(
      String impl, Supplier<ExecutorService> factory) throws Exception {
    ExecutorService executor = make(factory);
    List<Future<Integer>> futures = new ArrayList<>();
    try (AutoCloseable closing = closeable(executor)) {
      for (int i = 0; i < 40; i++) {
        int n = i;
        futures.add(
            executor.submit(
                () -> {
                  for (int spin = 0; spin < 1_000; spin++) {
                    Thread.onSpinWait();
                  }
                  return n;
                }));
      }
    }

    assertThat(executor.isTerminated()).isTrue();
    assertThat(futures).allMatch(Future::isDone);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("executors")
  void cancel_ofAQueuedFuture_keepsItFromRunning(String impl, Supplier<ExecutorService> factory)
      throws Exception {
    ExecutorService executor = make(factory);
    CountDownLatch running = new CountDownLatch(2);
    for (int i = 0; i < 2; i++) {
      executor.execute(
          () -> {
            running.countDown();
            try {
              release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
    }
    assertThat(running.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    AtomicBoolean ran = new AtomicBoolean();
    Future<?> queued = executor.submit(() -> ran.set(true));

    assertThat(queued.cancel(false)).isTrue();
    release.countDown();
    executor.shutdown();

    assertThat(executor.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    assertThat(ran).isFalse();
    assertThatThrownBy(queued::get).isInstanceOf(CancellationException.class);
  }

  private ExecutorService make(Supplier<ExecutorService> factory) {
    ExecutorService executor = factory.get();
    made.add(executor);
    return executor;
  }

  /**
   * The executor's close(): ours on every JDK, the JDK pool's from Java 19 on (else the test is
   * skipped).
   */
  private static AutoCloseable closeable(ExecutorService executor) {
    assumeTrue(
        executor instanceof AutoCloseable,
        "ExecutorService.close() exists from Java 19 on; this is Java "
            + Runtime.version().feature());
    return (AutoCloseable) executor;
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      throw new AssertionError("ExecutorService.close() throws nothing", e);
    }
  }
}
