package dev.oomguard.executors;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Producers race a small pool with every policy, expiry on, and the tests count: each task
 * submitted ran, was returned by shutdownNow, rejected, discarded or expired; and every Future the
 * producers hold completes. The clock moves 0.1 ms at each read, so tasks expire depending on how
 * the threads interleave, without any test waiting on wall-clock time.
 */
class AccountingTest {
  private static final int PRODUCERS = 4;
  private static final int TASKS_PER_PRODUCER = 2_000;
  private static final long CLOCK_STEP_NANOS = 100_000;

  static Stream<Arguments> policies() {
    return Stream.of(
        Arguments.of("reject", OverflowPolicy.reject()),
        Arguments.of("callerRuns", OverflowPolicy.callerRuns()),
        Arguments.of("discardNewest", OverflowPolicy.discardNewest(task -> {})),
        Arguments.of("discardOldest", OverflowPolicy.discardOldest(task -> {})),
        Arguments.of("block", OverflowPolicy.block(Duration.ofMillis(1))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("policies")
  void saturatedPool_withEveryPolicy_accountsForEveryTaskAndCompletesEveryFuture(
      String name, OverflowPolicy policy) throws Exception {
    Run run = new Run(policy, false);

    run.produce(null, null);
    run.pool.shutdown();
    assertThat(run.pool.awaitTermination(20, TimeUnit.SECONDS)).isTrue();

    run.assertAccounted(List.of());
    run.assertEveryFutureCompletes(List.of());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("policies")
  void saturatedPool_withAWeightBound_accountsForEveryTaskAndGivesAllWeightBack(
      String name, OverflowPolicy policy) throws Exception {
    Run run = new Run(policy, true);

    run.produce(null, null);
    run.pool.shutdown();
    assertThat(run.pool.awaitTermination(20, TimeUnit.SECONDS)).isTrue();

    run.assertAccounted(List.of());
    run.assertEveryFutureCompletes(List.of());
    assertThat(run.pool.queuedWeight()).as("weight still held").isZero();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("policies")
  void shutdownNow_racingProducers_losesNoTask(String name, OverflowPolicy policy)
      throws Exception {
    Run run = new Run(policy, false);
    CountDownLatch halfway = new CountDownLatch(PRODUCERS * TASKS_PER_PRODUCER / 2);
    List<Runnable> returned = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch stopped = new CountDownLatch(1);
    ExecutorService stopper = Executors.newSingleThreadExecutor();
    try {
      Future<?> stopping =
          stopper.submit(
              () -> {
                halfway.await();
                returned.addAll(run.pool.shutdownNow());
                stopped.countDown();
                return null;
              });

      run.produce(halfway, stopped);
      stopping.get(20, TimeUnit.SECONDS);
    } finally {
      stopper.shutdownNow();
    }
    assertThat(run.pool.awaitTermination(20, TimeUnit.SECONDS)).isTrue();

    assertThat(run.rejectedAtShutdown.sum())
        .as("producers went on past shutdown and were refused")
        .isPositive();
    run.assertAccounted(returned);
    run.assertEveryFutureCompletes(returned);
  }

  /** One pool, its producers and what they saw. */
  private static final class Run {
    final AtomicLong clock = new AtomicLong();
    final LongAdder ran = new LongAdder();
    final LongAdder rejectedSeen = new LongAdder();
    final LongAdder rejectedAtShutdown = new LongAdder();
    final List<Future<?>> futures = Collections.synchronizedList(new ArrayList<>());
    final BoundedThreadPool pool;

    /** With {@code weighted}, tasks also weigh 1 to 5 each, against a bound of 12. */
    Run(OverflowPolicy policy, boolean weighted) {
      BoundedExecutors.Builder builder =
          BoundedExecutors.builder("race")
              .threads(2)
              .queueCapacity(8)
              .overflow(policy)
              .maxQueueWait(Duration.ofNanos(20 * CLOCK_STEP_NANOS))
              .nanoTime(() -> clock.addAndGet(CLOCK_STEP_NANOS));
      if (weighted) {
        builder.maxQueueWeight(12, task -> 1 + Math.floorMod(System.identityHashCode(task), 5));
      }
      pool = (BoundedThreadPool) builder.build();
    }

    /**
     * Submits from every producer at once. With latches: each submit counts {@code submitted} down,
     * and a producer that finds it at zero waits for {@code stopped} once, so that some submits
     * race shutdownNow() and the rest come after it.
     */
    void produce(@Nullable CountDownLatch submitted, @Nullable CountDownLatch stopped)
        throws Exception {
      CyclicBarrier start = new CyclicBarrier(PRODUCERS);
      ExecutorService producers = Executors.newFixedThreadPool(PRODUCERS);
      try {
        List<Future<?>> done = new ArrayList<>();
        for (int p = 0; p < PRODUCERS; p++) {
          done.add(
              producers.submit(
                  () -> {
                    start.await();
                    boolean waited = false;
                    for (int i = 0; i < TASKS_PER_PRODUCER; i++) {
                      try {
                        futures.add(pool.submit(ran::increment));
                      } catch (TaskRejectedException e) {
                        rejectedSeen.increment();
                        if (e.isShutdown()) {
                          rejectedAtShutdown.increment();
                        }
                      }
                      if (submitted != null && stopped != null) {
                        submitted.countDown();
                        if (!waited && submitted.getCount() == 0) {
                          waited = stopped.await(20, TimeUnit.SECONDS);
                        }
                      }
                    }
                    return null;
                  }));
        }
        for (Future<?> producer : done) {
          producer.get(60, TimeUnit.SECONDS);
        }
      } finally {
        producers.shutdownNow();
      }
    }

    void assertAccounted(List<Runnable> returned) {
      long submitted = (long) PRODUCERS * TASKS_PER_PRODUCER;
      String counts =
          "ran "
              + ran.sum()
              + ", returned "
              + returned.size()
              + ", rejected "
              + pool.rejected.sum()
              + ", discarded "
              + pool.discarded.sum()
              + ", expired "
              + pool.expiredCount();
      assertThat(
              ran.sum()
                  + returned.size()
                  + pool.rejected.sum()
                  + pool.discarded.sum()
                  + pool.expiredCount())
          .as(counts)
          .isEqualTo(submitted);
      assertThat(pool.rejected.sum())
          .as("rejections the producers caught; " + counts)
          .isEqualTo(rejectedSeen.sum());
    }

    /** Every Future completes, except the ones shutdownNow handed back to its caller. */
    void assertEveryFutureCompletes(List<Runnable> returned) throws InterruptedException {
      Set<Object> handedBack = Collections.newSetFromMap(new IdentityHashMap<>());
      handedBack.addAll(returned);
      long cancelled = 0;
      for (Future<?> future : futures) {
        if (handedBack.contains(future)) {
          continue;
        }
        try {
          future.get(20, TimeUnit.SECONDS);
        } catch (CancellationException e) {
          cancelled++;
        } catch (ExecutionException e) {
          throw new AssertionError("no task here throws", e);
        } catch (TimeoutException e) {
          throw new AssertionError("a Future never completed: " + future, e);
        }
      }
      assertThat(cancelled)
          .as("cancelled Futures are the discarded and expired tasks")
          .isEqualTo(pool.discarded.sum() + pool.expiredCount());
    }
  }
}
