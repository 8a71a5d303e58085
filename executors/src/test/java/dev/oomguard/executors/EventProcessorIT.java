package dev.oomguard.executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.oomguard.executors.redis.RedisStreamOverflowStore;
import dev.oomguard.testsupport.LocalRedis;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The processor spilling to and replaying from a real {@code redis-server} on loopback. */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class EventProcessorIT {
  private static final Duration WAIT = Duration.ofSeconds(60);

  private static LocalRedis redis;
  private static SpillRedis spill;

  private final List<EventProcessor<String>> processors = new ArrayList<>();
  private final CountDownLatch gate = new CountDownLatch(1);

  @BeforeAll
  static void startRedis() throws IOException {
    redis = LocalRedis.start();
    spill = new SpillRedis(redis.uri());
  }

  @AfterAll
  static void stopRedis() {
    spill.close();
    redis.close();
  }

  @BeforeEach
  void emptyRedis() throws IOException {
    redis.command("FLUSHALL");
  }

  @AfterEach
  void closeProcessors() {
    gate.countDown();
    processors.forEach(EventProcessor::close);
  }

  @Test
  void flood_everyEventIsHandledOnceWithSpillsInBetween() {
    Set<String> handled = ConcurrentHashMap.newKeySet();
    List<String> duplicates = new CopyOnWriteArrayList<>();
    EventProcessor<String> processor =
        processor(
            EventProcessor.<String>builder(
                    "flood",
                    event -> {
                      awaitGate();
                      if (!handled.add(event)) {
                        duplicates.add(event);
                      }
                    })
                .threads(2)
                .queueCapacity(20)
                .spillTo(spill.store("flood", "only")));

    Map<SubmitResult, Integer> results = submitAll(processor, 2_000);
    gate.countDown();

    assertThat(results).containsOnlyKeys(SubmitResult.ACCEPTED, SubmitResult.SPILLED);
    assertThat(results.get(SubmitResult.SPILLED)).isGreaterThanOrEqualTo(2_000 - 22);
    await().atMost(WAIT).until(() -> handled.size() == 2_000);
    assertThat(duplicates).isEmpty();
    assertThat(processor.replayed.sum()).isEqualTo(results.get(SubmitResult.SPILLED).longValue());
    await().atMost(WAIT).until(() -> processor.spillBacklog == 0);
  }

  @Test
  void twoProcessors_oneDrainsWhatTheOtherSpilled() {
    EventProcessor<String> stuck =
        processor(
            EventProcessor.<String>builder("stuck", event -> awaitGate())
                .threads(1)
                .queueCapacity(5)
                .spillTo(spill.store("shared", "stuck")));
    Set<String> handledByOther = ConcurrentHashMap.newKeySet();
    Map<SubmitResult, Integer> results = submitAll(stuck, 50);

    processor(
        EventProcessor.<String>builder("other", handledByOther::add)
            .threads(1)
            .queueCapacity(10)
            .spillTo(spill.store("shared", "other")));

    assertThat(results)
        .containsEntry(SubmitResult.SPILLED, 44)
        .containsEntry(SubmitResult.ACCEPTED, 6);
    Set<String> spilled = IntStream.range(6, 50).mapToObj(i -> "e" + i).collect(Collectors.toSet());
    await().atMost(WAIT).until(() -> handledByOther.size() == 44);
    assertThat(handledByOther).isEqualTo(spilled);
  }

  @Test
  void maxAge_dropsEventsThatGrewOldInTheQueueOrInTheStore() throws IOException {
    AtomicLong now = new AtomicLong(Instant.parse("2026-11-21T12:00:00Z").toEpochMilli());
    Set<String> handled = ConcurrentHashMap.newKeySet();
    EventProcessor<String> processor =
        processor(
            EventProcessor.<String>builder(
                    "aging",
                    event -> {
                      awaitGate();
                      handled.add(event);
                    })
                .threads(1)
                .queueCapacity(4)
                .maxAge(Duration.ofMinutes(1), EventProcessorIT::timestamp)
                .clock(clock(now))
                .spillTo(spill.store("aging", "only")));
    Map<SubmitResult, Integer> results = new EnumMap<>(SubmitResult.class);
    for (int i = 0; i < 20; i++) {
      results.merge(processor.submit("e" + i + "@" + now.get()), 1, Integer::sum);
    }

    now.addAndGet(Duration.ofMinutes(2).toMillis()); // before any but the first is handled
    gate.countDown();

    assertThat(results)
        .containsEntry(SubmitResult.ACCEPTED, 5)
        .containsEntry(SubmitResult.SPILLED, 15);
    await()
        .atMost(WAIT)
        .until(() -> processor.expired.sum() == 19 && "0".equals(redis.command("XLEN", "aging")));
    assertThat(handled).singleElement().asString().startsWith("e0@");
    assertThat(processor.submit("late@" + (now.get() - Duration.ofMinutes(5).toMillis())))
        .isEqualTo(SubmitResult.EXPIRED);
  }

  @Test
  void close_spillsWhatIsQueuedForAnotherInstance() throws InterruptedException {
    CountDownLatch running = new CountDownLatch(1);
    EventProcessor<String> leaving =
        processor(
            EventProcessor.<String>builder(
                    "leaving",
                    event -> {
                      running.countDown();
                      awaitGate();
                    })
                .threads(1)
                .queueCapacity(10)
                .spillTo(spill.store("deploy", "leaving")));
    Map<SubmitResult, Integer> results = submitAll(leaving, 8);
    assertThat(running.await(WAIT.toSeconds(), TimeUnit.SECONDS))
        .as("e0 is being handled")
        .isTrue();
    Thread closing = new Thread(leaving::close);
    closing.start();
    await().atMost(WAIT).until(() -> leaving.submit("after close") == SubmitResult.REJECTED);
    gate.countDown();
    closing.join(WAIT.toMillis());

    Set<String> handledByNext = ConcurrentHashMap.newKeySet();
    processor(
        EventProcessor.<String>builder("next", handledByNext::add)
            .threads(1)
            .queueCapacity(10)
            .spillTo(spill.store("deploy", "next")));

    assertThat(results).containsEntry(SubmitResult.ACCEPTED, 8);
    assertThat(closing.isAlive()).isFalse();
    assertThat(leaving.handled.sum()).isEqualTo(1);
    assertThat(leaving.spilled.sum()).isEqualTo(7);
    await().atMost(WAIT).until(() -> handledByNext.size() == 7);
    assertThat(handledByNext).containsExactlyInAnyOrder("e1", "e2", "e3", "e4", "e5", "e6", "e7");
  }

  @Test
  void redisDown_overflowIsRejectedAtOnceAndSpillingResumesWhenItIsBack() throws IOException {
    EventProcessor<String> processor =
        processor(
            EventProcessor.<String>builder("outage", event -> awaitGate())
                .threads(1)
                .queueCapacity(2)
                .spillTo(spill.store("outage", "only")));
    submitAll(processor, 3); // one running, two queued: the queue is full from here on
    redis.kill();
    Map<SubmitResult, Integer> during;
    try {
      during = submitAll(processor, 20);
    } finally {
      redis.restart();
    }

    assertThat(during)
        .containsOnlyKeys(SubmitResult.REJECTED)
        .containsEntry(SubmitResult.REJECTED, 20);
    assertThat(processor.storeErrors.sum()).isGreaterThanOrEqualTo(20);
    await().atMost(WAIT).until(() -> processor.submit("after") == SubmitResult.SPILLED);
    gate.countDown();
    await().atMost(WAIT).until(() -> processor.handled.sum() == 3 + processor.spilled.sum());
  }

  @Test
  void crash_anotherProcessReclaimsWhatTheKilledOneHadTakenOrSpilled()
      throws IOException, InterruptedException {
    Process crashing =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                CrashingProcessor.class.getName(),
                redis.uri(),
                "crash")
            .redirectErrorStream(true)
            .start();
    List<String> output = new ArrayList<>();
    try (BufferedReader lines =
        new BufferedReader(
            new InputStreamReader(crashing.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = lines.readLine();
          line != null && !line.startsWith("hanging");
          line = lines.readLine()) {
        output.add(line);
      }
      assertThat(crashing.isAlive()).as("hanging in a handler: %s", output).isTrue();
      crashing.destroyForcibly(); // SIGKILL: no shutdown hook, no close()
      assertThat(crashing.waitFor(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      crashing.destroyForcibly();
    }
    assertThat(output).contains("e8 ACCEPTED", "e9 SPILLED", "e19 SPILLED");
    assertThat(redis.command("XPENDING", "crash", RedisStreamOverflowStore.DEFAULT_GROUP))
        .doesNotStartWith("0\n");

    Set<String> handled = ConcurrentHashMap.newKeySet();
    processor(
        EventProcessor.<String>builder("survivor", handled::add)
            .threads(1)
            .queueCapacity(10)
            .spillTo(spill.store("crash", "survivor")));

    Set<String> leftByTheCrash =
        IntStream.range(10, 20).mapToObj(i -> "e" + i).collect(Collectors.toSet());
    await().atMost(WAIT).until(() -> handled.containsAll(leftByTheCrash));
    // e9 too, if the crash came after its handler and before its acknowledgement went out.
    assertThat(handled)
        .isSubsetOf(IntStream.range(9, 20).mapToObj(i -> "e" + i).collect(Collectors.toSet()));
    await().atMost(WAIT).until(() -> "0".equals(redis.command("XLEN", "crash")));
  }

  private EventProcessor<String> processor(EventProcessor.Builder<String> builder) {
    EventProcessor<String> processor =
        builder.replayInterval(Duration.ofMillis(20)).closeTimeout(WAIT).build();
    processors.add(processor);
    return processor;
  }

  private static Map<SubmitResult, Integer> submitAll(EventProcessor<String> processor, int count) {
    Map<SubmitResult, Integer> results = new EnumMap<>(SubmitResult.class);
    for (int i = 0; i < count; i++) {
      results.merge(processor.submit("e" + i), 1, Integer::sum);
    }
    return results;
  }

  private void awaitGate() {
    try {
      if (!gate.await(WAIT.toSeconds(), TimeUnit.SECONDS)) {
        throw new AssertionError("the gate was never opened");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Instant timestamp(String event) {
    return Instant.ofEpochMilli(Long.parseLong(event.substring(event.indexOf('@') + 1)));
  }

  private static Clock clock(AtomicLong millis) {
    return new Clock() {
      @Override
      public ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException();
      }

      @Override
      public Instant instant() {
        return Instant.ofEpochMilli(millis.get());
      }
    };
  }
}
