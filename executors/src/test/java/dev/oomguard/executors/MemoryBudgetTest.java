package dev.oomguard.executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Incident 2: concurrent large requests wait for room; the budget is never exceeded. */
class MemoryBudgetTest {
  private static final long MIB = 1024 * 1024;

  private final ExecutorService threads = Executors.newCachedThreadPool();

  @AfterEach
  void tearDown() {
    threads.shutdownNow();
  }

  @Test
  void ofBytes_whenNotPositive_throwsNamingTheValue() {
    assertThatThrownBy(() -> MemoryBudget.ofBytes(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a memory budget must be at least 1 byte, was 0");
  }

  @Test
  void acquire_whenLargerThanTheWholeBudget_failsAtOnceNamingBoth() {
    MemoryBudget budget = MemoryBudget.ofBytes(64 * MIB);

    assertThatThrownBy(() -> budget.acquire(64 * MIB + 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a request of 67108865 bytes can never fit a memory budget of 67108864 bytes");
  }

  @Test
  void tryAcquire_nearLongMaxValue_neverGrantsMoreThanTheBudget() throws InterruptedException {
    MemoryBudget unbounded = MemoryBudget.ofBytes(Long.MAX_VALUE);
    MemoryBudget.Lease most = unbounded.acquire(Long.MAX_VALUE - 1);

    assertThat(unbounded.tryAcquire(Long.MAX_VALUE, Duration.ZERO)).isEmpty();
    assertThat(unbounded.tryAcquire(1, Duration.ZERO)).isPresent();
    assertThat(unbounded.availableBytes()).isZero();
    most.close();
  }

  @Test
  void acquire_whenNegative_throwsNamingTheValue() {
    assertThatThrownBy(() -> MemoryBudget.ofBytes(10).acquire(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("bytes must not be negative, was -1");
  }

  @Test
  void acquire_whenItFits_takesTheBytesUntilTheLeaseCloses() throws Exception {
    MemoryBudget budget = MemoryBudget.ofBytes(100);

    try (MemoryBudget.Lease lease = budget.acquire(60)) {
      assertThat(lease.bytes()).isEqualTo(60);
      assertThat(budget.usedBytes()).isEqualTo(60);
      assertThat(budget.availableBytes()).isEqualTo(40);
    }

    assertThat(budget.availableBytes()).isEqualTo(100);
  }

  @Test
  void close_calledTwice_givesTheBytesBackOnce() throws Exception {
    MemoryBudget budget = MemoryBudget.ofBytes(100);
    MemoryBudget.Lease first = budget.acquire(60);
    MemoryBudget.Lease second = budget.acquire(40);

    first.close();
    first.close();

    assertThat(budget.usedBytes()).isEqualTo(40);
    second.close();
  }

  @Test
  void acquire_whenItDoesNotFit_waitsUntilALeaseCloses() throws Exception {
    MemoryBudget budget = MemoryBudget.ofBytes(100);
    MemoryBudget.Lease held = budget.acquire(70);

    CompletableFuture<MemoryBudget.Lease> waiting =
        CompletableFuture.supplyAsync(() -> acquire(budget, 50), threads);
    await().atMost(Gate.TIMEOUT).until(() -> budget.waitingRequests() == 1);
    assertThat(waiting).isNotDone();

    held.close();

    assertThat(waiting.get(20, TimeUnit.SECONDS).bytes()).isEqualTo(50);
    assertThat(budget.usedBytes()).isEqualTo(50);
  }

  @Test
  void tryAcquire_whenNoRoomWithinTheTimeout_returnsEmptyAndHoldsNothing() throws Exception {
    MemoryBudget budget = MemoryBudget.ofBytes(100);
    MemoryBudget.Lease held = budget.acquire(70);

    Optional<MemoryBudget.Lease> lease = budget.tryAcquire(50, Duration.ofMillis(20));

    assertThat(lease).isEmpty();
    assertThat(budget.usedBytes()).isEqualTo(70);
    assertThat(budget.waitingRequests()).isZero();
    held.close();
  }

  @Test
  void tryAcquire_withZeroTimeout_takesTheBytesIfTheyFitNow() throws Exception {
    MemoryBudget budget = MemoryBudget.ofBytes(100);

    assertThat(budget.tryAcquire(100, Duration.ZERO))
        .hasValueSatisfying(lease -> assertThat(lease.bytes()).isEqualTo(100));
  }

  @Test
  void acquire_whenInterruptedWhileWaiting_throwsAndLetsTheRequestsBehindItIn() throws Exception {
    MemoryBudget budget = MemoryBudget.ofBytes(100);
    MemoryBudget.Lease held = budget.acquire(70);
    AtomicBoolean interrupted = new AtomicBoolean();
    Future<?> large =
        threads.submit(
            () -> {
              try {
                budget.acquire(80);
              } catch (InterruptedException e) {
                interrupted.set(true);
              }
            });
    await().atMost(Gate.TIMEOUT).until(() -> budget.waitingRequests() == 1);
    CompletableFuture<MemoryBudget.Lease> small =
        CompletableFuture.supplyAsync(() -> acquire(budget, 30), threads);
    await().atMost(Gate.TIMEOUT).until(() -> budget.waitingRequests() == 2);

    large.cancel(true);

    assertThat(small.get(20, TimeUnit.SECONDS).bytes())
        .as("no longer behind the large one")
        .isEqualTo(30);
    // The interrupted thread hands the room on before its catch block runs: wait for that too.
    await().atMost(Gate.TIMEOUT).untilTrue(interrupted);
    assertThat(budget.usedBytes()).isEqualTo(100);
    held.close();
  }

  @Test
  void acquire_aLargeRequestAmongAStreamOfSmallOnes_isServedBeforeLaterSmallOnes()
      throws Exception {
    MemoryBudget budget = MemoryBudget.ofBytes(100);
    List<MemoryBudget.Lease> small = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      small.add(budget.acquire(10));
    }
    CompletableFuture<MemoryBudget.Lease> large =
        CompletableFuture.supplyAsync(() -> acquire(budget, 90), threads);
    await().atMost(Gate.TIMEOUT).until(() -> budget.waitingRequests() == 1);
    // A later small request would fit (50 bytes are free) but must queue behind the large one.
    CompletableFuture<MemoryBudget.Lease> later =
        CompletableFuture.supplyAsync(() -> acquire(budget, 10), threads);
    await().atMost(Gate.TIMEOUT).until(() -> budget.waitingRequests() == 2);

    for (MemoryBudget.Lease lease : small) {
      lease.close();
    }

    assertThat(large.get(20, TimeUnit.SECONDS).bytes()).isEqualTo(90);
    assertThat(budget.usedBytes()).isEqualTo(100);
    assertThat(later.get(20, TimeUnit.SECONDS).bytes()).isEqualTo(10);
  }

  @Test
  void acquire_manyThreadsRandomSizes_neverExceedsTheBudgetAndAllFinish() throws Exception {
    long capacity = 1_000;
    MemoryBudget budget = MemoryBudget.ofBytes(capacity);
    AtomicLong held = new AtomicLong();
    AtomicLong maxHeld = new AtomicLong();
    int workers = 8;
    int rounds = 2_000;
    CyclicBarrier start = new CyclicBarrier(workers);
    List<Future<?>> done = new ArrayList<>();
    for (int w = 0; w < workers; w++) {
      done.add(
          threads.submit(
              () -> {
                start.await();
                ThreadLocalRandom random = ThreadLocalRandom.current();
                for (int i = 0; i < rounds; i++) {
                  long bytes = random.nextLong(capacity + 1);
                  Optional<MemoryBudget.Lease> lease =
                      i % 4 == 0
                          ? budget.tryAcquire(bytes, Duration.ofMillis(random.nextInt(2)))
                          : Optional.of(budget.acquire(bytes));
                  if (lease.isPresent()) {
                    try (MemoryBudget.Lease taken = lease.get()) {
                      long now = held.addAndGet(taken.bytes());
                      maxHeld.accumulateAndGet(now, Math::max);
                      Thread.yield();
                      held.addAndGet(-taken.bytes());
                    }
                  }
                }
                return null;
              }));
    }

    for (Future<?> worker : done) {
      worker.get(60, TimeUnit.SECONDS);
    }
    assertThat(maxHeld.get())
        .as("the most bytes held at once")
        .isLessThanOrEqualTo(capacity)
        .isPositive();
    assertThat(budget.usedBytes()).isZero();
    assertThat(budget.waitingRequests()).isZero();
  }

  @Test
  void metrics_showUsedAvailableCapacityAndWaiting() throws Exception {
    MeterRegistry registry = new SimpleMeterRegistry();
    MemoryBudget budget = MemoryBudget.ofBytes(100);
    new MemoryBudgetMetrics(budget, Tags.of("name", "images")).bindTo(registry);
    MemoryBudget.Lease held = budget.acquire(70);
    CompletableFuture<MemoryBudget.Lease> waiting =
        CompletableFuture.supplyAsync(() -> acquire(budget, 50), threads);
    await().atMost(Gate.TIMEOUT).until(() -> budget.waitingRequests() == 1);

    assertThat(registry.get("memory.budget.used").tag("name", "images").gauge().value())
        .isEqualTo(70);
    assertThat(registry.get("memory.budget.available").gauge().value()).isEqualTo(30);
    assertThat(registry.get("memory.budget.capacity").gauge().value()).isEqualTo(100);
    assertThat(registry.get("memory.budget.waiting").gauge().value()).isEqualTo(1);
    assertThat(registry.getMeters())
        .allSatisfy(
            meter -> {
              assertThat(meter.getId().getDescription()).isNotBlank();
              assertThat(meter.getId().getBaseUnit()).isNotBlank();
            });
    held.close();
    waiting.get(20, TimeUnit.SECONDS).close();
  }

  private static MemoryBudget.Lease acquire(MemoryBudget budget, long bytes) {
    try {
      return budget.acquire(bytes);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
