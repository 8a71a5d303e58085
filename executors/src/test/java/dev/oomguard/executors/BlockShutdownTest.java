package dev.oomguard.executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Producers held by {@code block(Duration.ofDays(1))}, by count or by weight, and then the pool
 * shuts down: they must be rejected as soon as it does, not a day later, and what was queued before
 * still runs.
 */
class BlockShutdownTest {
  private static final int PRODUCERS = 3;

  private final List<String> ran = new CopyOnWriteArrayList<>();
  private final Gate gate = new Gate();

  @Test
  void shutdown_withProducersBlockedForRoomByCount_rejectsThemPromptly() throws Exception {
    BoundedThreadPool pool =
        (BoundedThreadPool)
            BoundedExecutors.builder("orders")
                .threads(1)
                .queueCapacity(2)
                .overflow(OverflowPolicy.block(Duration.ofDays(1)))
                .build();

    assertBlockedProducersRejectedByShutdown(pool, () -> label("p"));
  }

  @Test
  void shutdown_withProducersBlockedForRoomByWeight_rejectsThemPromptly() throws Exception {
    BoundedThreadPool pool =
        (BoundedThreadPool)
            BoundedExecutors.builder("images")
                .threads(1)
                .queueCapacity(100)
                .maxQueueWeight(10, task -> task instanceof Heavy ? 9 : 1)
                .overflow(OverflowPolicy.block(Duration.ofDays(1)))
                .build();

    assertBlockedProducersRejectedByShutdown(pool, () -> new Heavy());
  }

  private void assertBlockedProducersRejectedByShutdown(
      BoundedThreadPool pool, Supplier<Runnable> blockedTask) throws Exception {
    gate.hold(pool);
    pool.execute(label("a"));
    pool.execute(label("b"));
    ExecutorService producers = Executors.newFixedThreadPool(PRODUCERS);
    List<Thread> blocked = Collections.synchronizedList(new ArrayList<>());
    try {
      List<Future<?>> submits = new ArrayList<>();
      for (int i = 0; i < PRODUCERS; i++) {
        submits.add(
            producers.submit(
                () -> {
                  blocked.add(Thread.currentThread());
                  pool.execute(blockedTask.get());
                  return null;
                }));
      }
      await()
          .atMost(Gate.TIMEOUT)
          .until(
              () ->
                  blocked.size() == PRODUCERS
                      && blocked.stream()
                          .allMatch(t -> t.getState() == Thread.State.TIMED_WAITING));

      pool.shutdown();

      // Prompt: well within the generous bound, against a wait of a day.
      await().atMost(Gate.TIMEOUT).until(() -> submits.stream().allMatch(Future::isDone));
      for (Future<?> submit : submits) {
        assertThatThrownBy(submit::get)
            .isInstanceOf(ExecutionException.class)
            .cause()
            .isInstanceOf(TaskRejectedException.class)
            .satisfies(
                e ->
                    assertThat(((TaskRejectedException) e).isShutdown())
                        .as("rejected for the shutdown")
                        .isTrue());
      }
      assertThat(pool.rejected.sum()).isEqualTo(PRODUCERS);
    } finally {
      producers.shutdownNow();
    }
    gate.open();
    assertThat(pool.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
    assertThat(ran).as("queued before shutdown, so run").containsExactly("a", "b");
  }

  private Runnable label(String label) {
    return () -> ran.add(label);
  }

  /** Weighs 9 of 10: with a and b queued (1 each) it does not fit. */
  private final class Heavy implements Runnable {
    @Override
    public void run() {
      ran.add("heavy");
    }
  }
}
