package dev.oomguard.executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.oomguard.executors.OverflowStore.Spilled;
import dev.oomguard.testsupport.CapturedLog;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The processor without an overflow store; with one, see {@link EventProcessorIT}. */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class EventProcessorTest {
  private final CountDownLatch gate = new CountDownLatch(1);
  private final Set<String> handled = ConcurrentHashMap.newKeySet();
  private final MeterRegistry registry = new SimpleMeterRegistry();
  private final EventProcessor<String> processor =
      EventProcessor.<String>builder(
              "events",
              event -> {
                awaitOpen(gate);
                if (event.startsWith("bad")) {
                  throw new IllegalStateException("cannot handle " + event);
                }
                handled.add(event);
              })
          .threads(1)
          .queueCapacity(3)
          .meterRegistry(registry)
          .build();

  @AfterEach
  void close() {
    gate.countDown();
    processor.close();
  }

  @Test
  void submit_queueFullWithoutAStore_rejectsAndCounts() {
    List<SubmitResult> results =
        List.of("e0", "e1", "e2", "e3", "e4", "e5").stream().map(processor::submit).toList();

    assertThat(results)
        .containsExactly(
            SubmitResult.ACCEPTED,
            SubmitResult.ACCEPTED,
            SubmitResult.ACCEPTED,
            SubmitResult.ACCEPTED,
            SubmitResult.REJECTED,
            SubmitResult.REJECTED);
    assertThat(registry.get("events.rejected").functionCounter().count()).isEqualTo(2);
    assertThat(registry.get("events.accepted").functionCounter().count()).isEqualTo(4);
    assertThat(registry.get("executor.queued").tag("name", "events").gauge().value()).isEqualTo(3);
  }

  @Test
  void handlerThatThrows_isCountedAndTheNextEventIsHandled() {
    processor.submit("bad-0");
    processor.submit("good-1");
    gate.countDown();

    await().atMost(Duration.ofSeconds(30)).until(() -> handled.contains("good-1"));
    assertThat(registry.get("events.failed").functionCounter().count()).isEqualTo(1);
    assertThat(registry.get("events.handled").functionCounter().count()).isEqualTo(1);
  }

  @Test
  void close_withoutAStore_handlesWhatIsQueuedAndRefusesMore() throws InterruptedException {
    for (int i = 0; i < 4; i++) {
      processor.submit("e" + i);
    }
    Thread closing = new Thread(processor::close);
    closing.start();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> processor.submit("late") == SubmitResult.REJECTED);
    gate.countDown();
    closing.join(30_000);

    assertThat(closing.isAlive()).isFalse();
    assertThat(handled).containsExactlyInAnyOrder("e0", "e1", "e2", "e3");
  }

  @Test
  void close_removesTheMetersOfTheProcessorAndItsExecutor() {
    assertThat(registry.find("events.accepted").meters()).hasSize(1);
    gate.countDown();

    processor.close();

    assertThat(registry.getMeters()).isEmpty();
  }

  @Test
  void submit_eventAlreadyOlderThanMaxAge_isExpiredWithoutQueueing() {
    try (EventProcessor<Instant> aging =
        EventProcessor.<Instant>builder("aging", event -> {})
            .maxAge(Duration.ofSeconds(10), event -> event)
            .build()) {
      assertThat(aging.submit(Instant.now().minusSeconds(60))).isEqualTo(SubmitResult.EXPIRED);
      assertThat(aging.expired.sum()).isEqualTo(1);
      assertThat(aging.queueSize()).isZero();
    }
  }

  @Test
  void replay_eventsTakenWhileFreshOnesFillTheQueue_areQueuedLaterNotLeftInTheStore() {
    Set<String> handledHere = ConcurrentHashMap.newKeySet();
    CountDownLatch held = new CountDownLatch(1);
    AtomicReference<EventProcessor<String>> self = new AtomicReference<>();
    // A store that hands each event out once, never again, and fills the queue as it does.
    OneShotStore store =
        new OneShotStore(
            List.of("s0", "s1", "s2"),
            () -> {
              for (int i = 1; i <= 4; i++) {
                assertThat(self.get().submit("f" + i)).isEqualTo(SubmitResult.ACCEPTED);
              }
            });
    EventProcessor<String> replaying =
        EventProcessor.<String>builder(
                "replaying",
                event -> {
                  awaitOpen(held);
                  handledHere.add(event);
                })
            .threads(1)
            .queueCapacity(4)
            .spillTo(store)
            .replayInterval(Duration.ofMillis(5))
            .build();
    self.set(replaying);
    try {
      replaying.submit("f0"); // holds the one handler thread; the first replay round takes s0, s1
      await().atMost(Duration.ofSeconds(30)).until(() -> store.fillsLeft.get() == 0);
      held.countDown();

      await().atMost(Duration.ofSeconds(30)).until(() -> handledHere.size() == 8);
      assertThat(handledHere)
          .containsExactlyInAnyOrder("f0", "f1", "f2", "f3", "f4", "s0", "s1", "s2");
      assertThat(store.acknowledged).containsExactlyInAnyOrder("s0", "s1", "s2");
    } finally {
      held.countDown();
      replaying.close();
    }
  }

  @Test
  void close_whenHandlersCannotReachQueuedEventsAndThereIsNoStore_countsThemLostAndSaysSo() {
    CountDownLatch never = new CountDownLatch(1);
    try (CapturedLog log = CapturedLog.of(EventProcessor.class.getName())) {
      EventProcessor<String> stuck =
          EventProcessor.<String>builder("stuck", event -> awaitOpen(never))
              .threads(1)
              .queueCapacity(10)
              .closeTimeout(Duration.ofMillis(200))
              .build();
      for (int i = 0; i < 5; i++) {
        assertThat(stuck.submit("e" + i)).isEqualTo(SubmitResult.ACCEPTED);
      }
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> stuck.queueSize() == 4); // e0 holds the thread

      stuck.close();

      assertThat(stuck.lost.sum()).isEqualTo(4);
      assertThat(log.messages(java.util.logging.Level.SEVERE))
          .singleElement()
          .asString()
          .contains("closed with 4 accepted events neither handled nor spilled");
    }
  }

  @Test
  void replay_storeThrowingAnError_doesNotEndReplaying() {
    Set<String> handled = ConcurrentHashMap.newKeySet();
    AtomicInteger takes = new AtomicInteger();
    OneShotStore store =
        new OneShotStore(List.of("s0", "s1"), () -> {}) {
          @Override
          public List<Spilled<String>> take(int max) {
            if (takes.getAndIncrement() == 0) {
              throw new AssertionError("a broken store");
            }
            return super.take(max);
          }
        };
    EventProcessor<String> processor =
        EventProcessor.<String>builder("resilient", handled::add)
            .threads(1)
            .queueCapacity(4)
            .spillTo(store)
            .replayInterval(Duration.ofMillis(5))
            .build();
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> handled.size() == 2);
      assertThat(takes.get()).isGreaterThan(1);
      assertThat(processor.replayed.sum()).isEqualTo(2);
    } finally {
      processor.close();
    }
  }

  @Test
  void builder_rejectsBadSettingsByName() {
    assertThatThrownBy(() -> EventProcessor.builder(" ", event -> {}))
        .hasMessage("name must not be blank, was ' '");
    assertThatThrownBy(() -> EventProcessor.builder("p", event -> {}).threads(0))
        .hasMessage("threads must be at least 1, was 0");
    assertThatThrownBy(() -> EventProcessor.builder("p", event -> {}).queueCapacity(-1))
        .hasMessage("queueCapacity must be at least 1, was -1");
    assertThatThrownBy(
            () ->
                EventProcessor.<Instant>builder("p", event -> {})
                    .maxAge(Duration.ZERO, event -> event))
        .hasMessage("maxAge must be positive, was PT0S");
    assertThatThrownBy(
            () ->
                EventProcessor.builder("p", event -> {})
                    .highWaterMark(1.5, (executor, above) -> {}))
        .hasMessage("highWaterMark fraction must be in (0, 1], was 1.5");
  }

  /** Hands each event out once (no reclaim), and runs {@code onFirstTake} inside the first take. */
  private static class OneShotStore implements OverflowStore<String> {
    private final Deque<String> stored;
    private final Runnable onFirstTake;
    final AtomicInteger fillsLeft = new AtomicInteger(1);
    final Set<String> acknowledged = ConcurrentHashMap.newKeySet();

    OneShotStore(List<String> stored, Runnable onFirstTake) {
      this.stored = new ConcurrentLinkedDeque<>(stored);
      this.onFirstTake = onFirstTake;
    }

    @Override
    public void spill(String event) {
      stored.add(event);
    }

    @Override
    public List<Spilled<String>> take(int max) {
      List<Spilled<String>> taken = new ArrayList<>();
      for (String event; taken.size() < max && (event = stored.poll()) != null; ) {
        String id = event;
        taken.add(
            new Spilled<>() {
              @Override
              public String event() {
                return id;
              }

              @Override
              public String id() {
                return id;
              }
            });
      }
      if (!taken.isEmpty() && fillsLeft.get() > 0) {
        onFirstTake.run();
        fillsLeft.decrementAndGet();
      }
      return taken;
    }

    @Override
    public void acknowledge(Spilled<String> spilled) {
      acknowledged.add(spilled.id());
    }

    @Override
    public long size() {
      return stored.size();
    }
  }

  private static void awaitOpen(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
