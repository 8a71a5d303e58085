package dev.oomguard.executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** maxQueueWait with a clock the test moves: tasks too old to matter are not run. */
class ExpiryTest {
  private static final Duration MAX_WAIT = Duration.ofSeconds(30);

  private final AtomicLong clock = new AtomicLong();
  private final List<String> ran = new CopyOnWriteArrayList<>();
  private final List<Runnable> expired = new CopyOnWriteArrayList<>();
  private final Gate gate = new Gate();
  private final BoundedThreadPool pool =
      (BoundedThreadPool)
          BoundedExecutors.builder("devices")
              .threads(1)
              .queueCapacity(2)
              .maxQueueWait(MAX_WAIT)
              .onExpired(expired::add)
              .nanoTime(clock::get)
              .build();

  @AfterEach
  void tearDown() throws InterruptedException {
    gate.openAndStop(pool);
  }

  @Test
  void maxQueueWait_whenATaskWaitedLonger_skipsItCancelsItsFutureAndTellsOnExpired()
      throws Exception {
    holdWorker();
    Future<?> a = pool.submit(task("a"));

    advance(MAX_WAIT.plusNanos(1));
    drain();

    assertThat(ran).isEmpty();
    assertThat(a.isCancelled()).isTrue();
    assertThat(expired).containsExactly((Runnable) a);
    assertThat(pool.expiredCount()).isEqualTo(1);
    assertThat(pool.completedCount()).as("the gate only").isEqualTo(1);
  }

  @Test
  void maxQueueWait_whenATaskWaitedExactlyTheLimit_runsIt() throws Exception {
    holdWorker();
    Future<?> a = pool.submit(task("a"));

    advance(MAX_WAIT);
    drain();

    assertThat(ran).containsExactly("a");
    assertThat(a.isDone()).isTrue();
    assertThat(a.isCancelled()).isFalse();
    assertThat(pool.expiredCount()).isZero();
  }

  @Test
  void maxQueueWait_measuresEachTaskFromItsOwnSubmit() throws Exception {
    holdWorker();
    pool.submit(task("old"));
    advance(Duration.ofSeconds(20));
    pool.submit(task("young"));

    advance(Duration.ofSeconds(20));
    drain();

    assertThat(ran).containsExactly("young");
    assertThat(expired).hasSize(1);
  }

  @Test
  void maxQueueWait_whenAFullQueueHoldsExpiredTasks_purgesThemInsteadOfRejecting()
      throws Exception {
    holdWorker();
    Future<?> a = pool.submit(task("a"));
    Future<?> b = pool.submit(task("b"));
    advance(MAX_WAIT.plusNanos(1));

    Future<?> c = pool.submit(task("c"));

    assertThat(pool.rejected.sum()).isZero();
    assertThat(a.isCancelled()).isTrue();
    assertThat(b.isCancelled()).isTrue();
    assertThat(expired).containsExactly((Runnable) a, (Runnable) b);
    assertThat(pool.queueSize()).isEqualTo(1);
    drain();
    assertThat(ran).containsExactly("c");
    assertThat(c.isDone()).isTrue();
  }

  @Test
  void maxQueueWait_whenAFullQueueHoldsOnlyFreshTasks_stillRejects() throws Exception {
    holdWorker();
    pool.submit(task("a"));
    pool.submit(task("b"));
    advance(MAX_WAIT);

    assertThatThrownBy(() -> pool.submit(task("c"))).isInstanceOf(TaskRejectedException.class);
    assertThat(pool.expiredCount()).isZero();
  }

  private void holdWorker() throws InterruptedException {
    gate.hold(pool);
  }

  private void advance(Duration by) {
    clock.addAndGet(by.toNanos());
  }

  private void drain() throws InterruptedException {
    gate.open();
    pool.shutdown();
    assertThat(pool.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
  }

  private Runnable task(String label) {
    return () -> ran.add(label);
  }
}
