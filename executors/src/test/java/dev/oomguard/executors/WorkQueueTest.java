package dev.oomguard.executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The pool's queue on its own: order around the ring, removal from the middle, close, races. */
class WorkQueueTest {

  @Test
  void offerAndPoll_aroundTheRingSeveralTimes_keepFifoOrderAndTheBound() {
    WorkQueue queue = new WorkQueue(3);
    List<Runnable> taken = new ArrayList<>();
    List<Runnable> given = new ArrayList<>();
    for (int round = 0; round < 5; round++) {
      for (int i = 0; i < 3; i++) {
        Runnable task = task();
        given.add(task);
        assertThat(queue.offer(task)).isTrue();
      }
      assertThat(queue.offer(task())).as("full").isFalse();
      assertThat(queue.size()).isEqualTo(3);
      taken.add(queue.poll());
      taken.add(queue.poll());
      assertThat(queue.peek()).isSameAs(given.get(taken.size()));
      taken.add(queue.poll());
      assertThat(queue.poll()).isNull();
      assertThat(queue.peek()).isNull();
      // Leave the head one slot further on each round.
      assertThat(queue.offer(task())).isTrue();
      queue.poll();
    }
    assertThat(taken).containsExactlyElementsOf(given);
  }

  @Test
  void remove_fromTheMiddleOfAWrappedRing_closesTheGapInOrder() {
    WorkQueue queue = new WorkQueue(4);
    for (int i = 0; i < 3; i++) {
      queue.offer(task());
      queue.poll();
    }
    // head at slot 3: the elements sit in slots 3, 0, 1, 2
    Runnable a = task();
    Runnable b = task();
    Runnable c = task();
    Runnable d = task();
    for (Runnable task : List.of(a, b, c, d)) {
      assertThat(queue.offer(task)).isTrue();
    }

    assertThat(queue.remove(b)).isTrue();
    assertThat(queue.remove(b)).as("only once").isFalse();
    assertThat(queue.remove(task())).as("a task never queued").isFalse();
    assertThat(queue.offer(b)).as("room again").isTrue();

    assertThat(queue.closeAndDrain()).containsExactly(a, c, d, b);
    assertThat(queue.size()).isZero();
  }

  @Test
  void remove_matchesTheSameObjectOnly() {
    WorkQueue queue = new WorkQueue(2);
    Runnable first = new EqualTask();
    Runnable second = new EqualTask();
    queue.offer(first);
    queue.offer(second);

    assertThat(queue.remove(second)).isTrue();
    assertThat(queue.poll()).isSameAs(first);
  }

  @Test
  void take_afterClose_returnsWhatIsLeftThenNull() throws Exception {
    WorkQueue queue = new WorkQueue(2);
    Runnable left = task();
    queue.offer(left);

    queue.close();

    assertThat(queue.take()).isSameAs(left);
    assertThat(queue.take()).isNull();
  }

  @Test
  void close_wakesEveryTakerWaitingOnAnEmptyQueue() throws Exception {
    WorkQueue queue = new WorkQueue(2);
    List<Runnable> results = Collections.synchronizedList(new ArrayList<>());
    List<Thread> takers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Thread taker =
          new Thread(
              () -> {
                try {
                  Runnable task = queue.take();
                  results.add(task == null ? CLOSED : task);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              });
      taker.start();
      takers.add(taker);
    }
    await()
        .atMost(Gate.TIMEOUT)
        .until(() -> takers.stream().allMatch(t -> t.getState() == Thread.State.WAITING));

    queue.close();

    for (Thread taker : takers) {
      taker.join(Gate.TIMEOUT.toMillis());
      assertThat(taker.isAlive()).isFalse();
    }
    assertThat(results).containsExactly(CLOSED, CLOSED, CLOSED);
  }

  @Test
  void close_wakesEveryProducerWaitingForRoomAndRefusesTheirElements() throws Exception {
    WorkQueue queue = new WorkQueue(1, 10);
    queue.offer(task(), 10);
    ExecutorService producers = Executors.newFixedThreadPool(2);
    try {
      List<Future<Boolean>> offers = new ArrayList<>();
      List<Thread> waiting = Collections.synchronizedList(new ArrayList<>());
      for (int i = 0; i < 2; i++) {
        offers.add(
            producers.submit(
                () -> {
                  waiting.add(Thread.currentThread());
                  return queue.offer(task(), 1, TimeUnit.DAYS.toNanos(1));
                }));
      }
      await()
          .atMost(Gate.TIMEOUT)
          .until(
              () ->
                  waiting.size() == 2
                      && waiting.stream()
                          .allMatch(t -> t.getState() == Thread.State.TIMED_WAITING));

      queue.close();

      for (Future<Boolean> offer : offers) {
        assertThat(offer.get(20, TimeUnit.SECONDS)).as("refused once closed").isFalse();
      }
      assertThat(queue.size()).isEqualTo(1);
      assertThat(queue.offer(task())).as("closed").isFalse();
    } finally {
      producers.shutdownNow();
    }
  }

  @Test
  void offer_withAWeightBound_refusesWhatWouldExceedItAndTakesItBackAsElementsLeave() {
    WorkQueue queue = new WorkQueue(10, 100);
    Runnable a = task();
    Runnable b = task();
    Runnable c = task();
    assertThat(queue.offer(a, 60)).isTrue();
    assertThat(queue.offer(b, 30)).isTrue();

    assertThat(queue.offer(task(), 11)).as("101 of 100").isFalse();
    assertThat(queue.offer(c, 10)).as("exactly 100").isTrue();
    assertThat(queue.offer(task(), Long.MAX_VALUE)).as("no overflow of the sum").isFalse();
    assertThat(queue.weight()).isEqualTo(100);

    assertThat(queue.remove(b)).isTrue();
    assertThat(queue.weight()).isEqualTo(70);
    assertThat(queue.poll()).isSameAs(a);
    assertThat(queue.weight()).isEqualTo(10);
    assertThat(queue.closeAndDrain()).containsExactly(c);
    assertThat(queue.weight()).isZero();
  }

  @Test
  void offerWithTimeout_waitsForRoomAndGivesUpWhenNoneComes() throws Exception {
    WorkQueue queue = new WorkQueue(1);
    queue.offer(task());

    assertThat(queue.offer(task(), 0, TimeUnit.MILLISECONDS.toNanos(20))).isFalse();

    Runnable waiting = task();
    ExecutorService taker = Executors.newSingleThreadExecutor();
    try {
      CountDownLatch offering = new CountDownLatch(1);
      Future<Boolean> offered =
          taker.submit(
              () -> {
                offering.countDown();
                return queue.offer(waiting, 0, TimeUnit.SECONDS.toNanos(20));
              });
      offering.await();
      queue.poll();
      assertThat(offered.get(20, TimeUnit.SECONDS)).isTrue();
      assertThat(queue.poll()).isSameAs(waiting);
    } finally {
      taker.shutdownNow();
    }
  }

  @Test
  void racingProducersAndTakers_handEveryElementOverExactlyOnce() throws Exception {
    int producers = 3;
    int perProducer = 20_000;
    WorkQueue queue = new WorkQueue(16);
    Set<Runnable> taken = ConcurrentHashMap.newKeySet();
    List<Runnable> duplicates = Collections.synchronizedList(new ArrayList<>());
    ExecutorService threads = Executors.newFixedThreadPool(producers + 2);
    try {
      List<Future<?>> producing = new ArrayList<>();
      for (int p = 0; p < producers; p++) {
        producing.add(
            threads.submit(
                () -> {
                  for (int i = 0; i < perProducer; i++) {
                    Runnable task = task();
                    while (!queue.offer(task)) {
                      Thread.onSpinWait();
                    }
                  }
                  return null;
                }));
      }
      List<Future<?>> taking = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        taking.add(
            threads.submit(
                () -> {
                  for (Runnable task; (task = queue.take()) != null; ) {
                    if (!taken.add(task)) {
                      duplicates.add(task);
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> producer : producing) {
        producer.get(60, TimeUnit.SECONDS);
      }
      queue.close();
      for (Future<?> taker : taking) {
        taker.get(60, TimeUnit.SECONDS);
      }
    } finally {
      threads.shutdownNow();
    }

    assertThat(duplicates).isEmpty();
    assertThat(taken).hasSize(producers * perProducer);
    assertThat(queue.size()).isZero();
  }

  private static final Runnable CLOSED = task();

  /** A new object each time (a lambda without captures would be one shared instance). */
  private static Runnable task() {
    return new Runnable() {
      @Override
      public void run() {}
    };
  }

  /** Equal to every other: remove() must still take the one given. */
  private static final class EqualTask implements Runnable {
    @Override
    public void run() {}

    @Override
    public boolean equals(Object other) {
      return other instanceof EqualTask;
    }

    @Override
    public int hashCode() {
      return 1;
    }
  }
}
