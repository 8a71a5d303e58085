package dev.oomguard.executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The saturation signal: one call per crossing of the mark, in each direction. */
class HighWaterMarkTest {
  private final List<String> crossings = new CopyOnWriteArrayList<>();
  private final Gate gate = new Gate();

  /** Capacity 4 at 0.5: the mark is 2 queued tasks. */
  private final BoundedThreadPool pool =
      (BoundedThreadPool)
          BoundedExecutors.builder("events")
              .threads(1)
              .queueCapacity(4)
              .highWaterMark(
                  0.5,
                  (executor, above) ->
                      crossings.add(executor.name() + (above ? " above" : " below")))
              .build();

  @AfterEach
  void tearDown() throws InterruptedException {
    gate.openAndStop(pool);
  }

  @Test
  void highWaterMark_belowTheMark_staysQuiet() throws Exception {
    holdWorker();

    pool.execute(() -> {});

    assertThat(crossings).isEmpty();
  }

  @Test
  void highWaterMark_whenTheQueueReachesTheMark_firesOnceWhileItStaysAbove() throws Exception {
    holdWorker();

    for (int i = 0; i < 4; i++) {
      pool.execute(() -> {});
    }

    assertThat(crossings).containsExactly("events above");
  }

  @Test
  void highWaterMark_whenTheQueueFallsBelow_firesBelowOnce() throws Exception {
    holdWorker();
    for (int i = 0; i < 4; i++) {
      pool.execute(() -> {});
    }

    gate.open();
    pool.shutdown();
    assertThat(pool.awaitTermination(20, TimeUnit.SECONDS)).isTrue();

    assertThat(crossings).containsExactly("events above", "events below");
  }

  @Test
  void highWaterMark_whenShutdownNowEmptiesTheQueue_firesBelow() throws Exception {
    holdWorker();
    for (int i = 0; i < 3; i++) {
      pool.execute(() -> {});
    }

    pool.shutdownNow();

    assertThat(crossings).containsExactly("events above", "events below");
  }

  @Test
  void highWaterMark_underRacingProducersAndWorkers_alternatesAboveAndBelow() throws Exception {
    List<Boolean> seen = new CopyOnWriteArrayList<>();
    BoundedThreadPool racing =
        (BoundedThreadPool)
            BoundedExecutors.builder("racing")
                .threads(2)
                .queueCapacity(8)
                .overflow(OverflowPolicy.discardNewest(task -> {}))
                .highWaterMark(0.5, (executor, above) -> seen.add(above))
                .build();
    // Both workers held until the producers fill the queue, so that it surely crosses both ways.
    Gate first = new Gate();
    Gate second = new Gate();
    racing.execute(first);
    racing.execute(second);
    first.awaitStarted();
    second.awaitStarted();
    int producers = 3;
    CyclicBarrier start = new CyclicBarrier(producers);
    ExecutorService threads = Executors.newFixedThreadPool(producers);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int p = 0; p < producers; p++) {
        done.add(
            threads.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < 5_000; i++) {
                    racing.execute(Thread::onSpinWait);
                  }
                  return null;
                }));
      }
      await().atMost(Gate.TIMEOUT).until(() -> racing.queueSize() == racing.queueCapacity());
      first.open();
      second.open();
      for (Future<?> producer : done) {
        producer.get(60, TimeUnit.SECONDS);
      }
    } finally {
      first.open();
      second.open();
      threads.shutdownNow();
    }
    racing.shutdown();
    assertThat(racing.awaitTermination(20, TimeUnit.SECONDS)).isTrue();

    assertThat(seen).as("crossings seen").isNotEmpty();
    for (int i = 0; i < seen.size(); i++) {
      assertThat(seen.get(i)).as("crossing %d of %s", i, seen).isEqualTo(i % 2 == 0);
    }
    assertThat(seen.get(seen.size() - 1)).as("the drained queue ends below").isFalse();
  }

  private void holdWorker() throws InterruptedException {
    gate.hold(pool);
  }
}
