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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The queue bounded by weight as well as by count: 10 tasks, 100 bytes of events. */
class QueueWeightTest {
  private final List<String> ran = new CopyOnWriteArrayList<>();
  private final List<Runnable> discarded = new CopyOnWriteArrayList<>();
  private final Gate gate = new Gate();
  private BoundedThreadPool pool = build(OverflowPolicy.reject());

  @AfterEach
  void tearDown() throws InterruptedException {
    gate.openAndStop(pool);
  }

  @Test
  void maxQueueWeight_whenATaskWouldExceedIt_sendsItToThePolicyThoughCountHasRoom()
      throws Exception {
    holdWorker();
    pool.execute(event("a", 60));
    pool.execute(event("b", 30));

    assertThatThrownBy(() -> pool.execute(event("c", 20)))
        .isInstanceOf(TaskRejectedException.class);

    assertThat(pool.queueSize()).isEqualTo(2);
    assertThat(pool.queuedWeight()).isEqualTo(90);
    assertThat(pool.rejected.sum()).isEqualTo(1);
  }

  @Test
  void maxQueueWeight_whenTasksStart_givesTheirWeightBack() throws Exception {
    holdWorker();
    pool.execute(event("a", 60));
    pool.execute(event("b", 40));

    gate.open();
    await().atMost(Gate.TIMEOUT).until(() -> ran.size() == 2);

    assertThat(pool.queuedWeight()).isZero();
    pool.execute(event("c", 100));
    await().atMost(Gate.TIMEOUT).until(() -> ran.size() == 3);
    assertThat(ran).containsExactly("a", "b", "c");
  }

  @Test
  void maxQueueWeight_discardOldest_dropsAsManyAsItTakesToMakeRoom() throws Exception {
    pool = build(OverflowPolicy.discardOldest(discarded::add));
    holdWorker();
    Runnable a = event("a", 40);
    Runnable b = event("b", 40);
    pool.execute(a);
    pool.execute(b);
    pool.execute(event("c", 10));

    pool.execute(event("d", 90));

    assertThat(discarded).containsExactly(a, b);
    assertThat(pool.queuedWeight()).isEqualTo(100);
    assertThat(pool.discarded.sum()).isEqualTo(2);
  }

  @Test
  void maxQueueWeight_aTaskHeavierThanTheWholeBound_isDiscardedWithoutEmptyingTheQueue()
      throws Exception {
    pool = build(OverflowPolicy.discardOldest(discarded::add));
    holdWorker();
    pool.execute(event("a", 40));
    Runnable huge = event("huge", 101);

    pool.execute(huge);

    assertThat(discarded).containsExactly(huge);
    assertThat(pool.queueSize()).isEqualTo(1);
    assertThat(pool.queuedWeight()).isEqualTo(40);
  }

  @Test
  void maxQueueWeight_block_waitsForRoomByWeight() throws Exception {
    pool = build(OverflowPolicy.block(Duration.ofMinutes(1)));
    holdWorker();
    pool.execute(event("a", 80));
    ExecutorService submitter = Executors.newSingleThreadExecutor();
    try {
      AtomicReference<Thread> submitting = new AtomicReference<>();
      CompletableFuture<Void> b =
          CompletableFuture.runAsync(
              () -> {
                submitting.set(Thread.currentThread());
                pool.execute(event("b", 50));
              },
              submitter);
      await()
          .atMost(Gate.TIMEOUT)
          .until(
              () ->
                  submitting.get() != null
                      && submitting.get().getState() == Thread.State.TIMED_WAITING);
      assertThat(b).isNotDone();

      gate.open();

      b.get(20, TimeUnit.SECONDS);
      await().atMost(Gate.TIMEOUT).until(() -> ran.size() == 2);
      assertThat(ran).containsExactly("a", "b");
    } finally {
      submitter.shutdownNow();
    }
  }

  @Test
  void maxQueueWeight_whenTheWeigherGivesANegativeWeight_throwsNamingIt() {
    assertThatThrownBy(() -> pool.execute(event("bad", -1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("negative weight, -1");
  }

  @Test
  void maxQueueWeight_whenNotPositive_throwsNamingTheValue() {
    assertThatThrownBy(() -> BoundedExecutors.builder("x").maxQueueWeight(0, task -> 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxQueueWeight must be at least 1, was 0");
  }

  private BoundedThreadPool build(OverflowPolicy policy) {
    return (BoundedThreadPool)
        BoundedExecutors.builder("images")
            .threads(1)
            .queueCapacity(10)
            .maxQueueWeight(100, task -> task instanceof Event event ? event.bytes : 1)
            .overflow(policy)
            .build();
  }

  private void holdWorker() throws InterruptedException {
    gate.hold(pool);
    assertThat(pool.queuedWeight()).as("a started task holds no weight").isZero();
  }

  private Event event(String label, long bytes) {
    return new Event(label, bytes);
  }

  private final class Event implements Runnable {
    final String label;
    final long bytes;

    Event(String label, long bytes) {
      this.label = label;
      this.bytes = bytes;
    }

    @Override
    public void run() {
      ran.add(label);
    }
  }
}
