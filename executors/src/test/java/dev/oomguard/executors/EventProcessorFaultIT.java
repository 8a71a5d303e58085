package dev.oomguard.executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.oomguard.testsupport.CapturedLog;
import dev.oomguard.testsupport.LocalRedis;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The processor against a real {@code redis-server} that hangs, refuses writes or forgets
 * everything: every accepted event is handled or left in Redis, and every outcome is honest.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class EventProcessorFaultIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Duration STORE_TIMEOUT = Duration.ofMillis(500);

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
  void closeProcessors() throws IOException {
    gate.countDown();
    try {
      redis.thaw();
    } catch (IllegalStateException notRunning) {
      redis.restart();
    }
    redis.command("CONFIG", "SET", "maxmemory", "0");
    processors.forEach(EventProcessor::close);
  }

  @Test
  void close_whileRedisHangs_losesNothingAndReturnsWithinItsBound() throws Exception {
    Set<String> handled = ConcurrentHashMap.newKeySet();
    EventProcessor<String> processor =
        processor(
            EventProcessor.<String>builder(
                    "hang-close",
                    event -> {
                      awaitGate();
                      handled.add(event);
                    })
                .threads(2)
                .queueCapacity(1_000)
                .closeTimeout(Duration.ofSeconds(20))
                .spillTo(spill.store("hang-close", "only", STORE_TIMEOUT)));
    Map<SubmitResult, Integer> results = submitAll(processor, "e", 1_002);
    assertThat(results).containsEntry(SubmitResult.ACCEPTED, 1_002);
    redis.freeze();

    long start = System.nanoTime();
    Thread closing = new Thread(processor::close);
    closing.start();
    await().atMost(WAIT).until(() -> processor.submit("after close") == SubmitResult.REJECTED);
    gate.countDown();
    closing.join(WAIT.toMillis());
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    redis.thaw();

    // One store timeout for the spills in flight, then every event is handled here.
    assertThat(closing.isAlive()).isFalse();
    assertThat(took).isLessThan(STORE_TIMEOUT.multipliedBy(6));
    assertThat(processor.lost.sum()).isZero();
    Set<String> inRedis = entries("hang-close");
    Set<String> accounted = ConcurrentHashMap.newKeySet();
    accounted.addAll(handled);
    accounted.addAll(inRedis);
    assertThat(accounted).hasSize(1_002);
    // The spills that timed out landed when Redis woke: those events are also handled here.
    assertThat(handled.size() + inRedis.size() - 1_002).isLessThanOrEqualTo(2);
  }

  @Test
  void submit_whileRedisHangs_isUnconfirmedWithinTheBound_andTheEventStillArrives()
      throws Exception {
    Set<String> handled = ConcurrentHashMap.newKeySet();
    EventProcessor<String> processor =
        processor(
            EventProcessor.<String>builder(
                    "hang-submit",
                    event -> {
                      awaitGate();
                      handled.add(event);
                    })
                .threads(1)
                .queueCapacity(2)
                .spillTo(spill.store("hang-submit", "only", STORE_TIMEOUT)));
    submitAll(processor, "e", 3); // one running, two queued
    redis.freeze();

    long start = System.nanoTime();
    SubmitResult result = processor.submit("during");
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    redis.thaw();
    gate.countDown();

    assertThat(result).isEqualTo(SubmitResult.UNCONFIRMED);
    assertThat(took).isLessThan(STORE_TIMEOUT.multipliedBy(3).dividedBy(2));
    assertThat(processor.unconfirmed.sum()).isEqualTo(1);
    assertThat(processor.rejected.sum()).isZero();
    await().atMost(WAIT).until(() -> handled.contains("during"));
  }

  @Test
  void spillRefused_whileReadsWork_isRejectedAndWarnedOnce() throws Exception {
    try (CapturedLog log = CapturedLog.of(EventProcessor.class.getName())) {
      EventProcessor<String> processor =
          processor(
              EventProcessor.<String>builder("oom", event -> awaitGate())
                  .threads(1)
                  .queueCapacity(2)
                  .spillTo(spill.store("oom", "only", STORE_TIMEOUT)));
      await()
          .atMost(WAIT)
          .until(() -> processor.spillBacklog == 0); // the group exists before Redis fills
      submitAll(processor, "e", 3); // the queue is full from here on
      redis.command("CONFIG", "SET", "maxmemory-policy", "noeviction");
      redis.command("CONFIG", "SET", "maxmemory", "1");

      Map<SubmitResult, Integer> during = new EnumMap<>(SubmitResult.class);
      // Long enough for many replay rounds, which read (and succeed) in between.
      long until = System.nanoTime() + Duration.ofSeconds(1).toNanos();
      while (System.nanoTime() < until) {
        during.merge(processor.submit("refused"), 1, Integer::sum);
      }
      redis.command("CONFIG", "SET", "maxmemory", "0");
      await().atMost(WAIT).until(() -> processor.submit("after") == SubmitResult.SPILLED);

      assertThat(during).containsOnlyKeys(SubmitResult.REJECTED);
      assertThat(log.messages(Level.WARNING))
          .filteredOn(m -> m.contains("failed to spill"))
          .hasSize(1)
          .allMatch(m -> m.contains("full-queue events are rejected"));
      assertThat(log.messages(Level.WARNING))
          .filteredOn(m -> m.contains("failed to replay"))
          .isEmpty();
      assertThat(log.messages(Level.INFO))
          .filteredOn(m -> m.contains("can spill again"))
          .hasSize(1);
    }
  }

  @Test
  void redisRestartWithoutPersistence_isWarnedAndCounted() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    EventProcessor<String> processor =
        processor(
            EventProcessor.<String>builder("amnesia", event -> awaitGate())
                .threads(1)
                .queueCapacity(2)
                .meterRegistry(registry)
                .spillTo(spill.store("amnesia", "only", STORE_TIMEOUT)));
    await()
        .atMost(WAIT)
        .until(() -> processor.spillBacklog == 0); // the replay thread has read the group
    submitAll(processor, "e", 6); // three spilled
    await().atMost(WAIT).until(() -> processor.spillBacklog == 3);

    redis.kill();
    redis.restart();
    await().atMost(WAIT).until(() -> processor.submit("after") == SubmitResult.SPILLED);

    await()
        .atMost(WAIT)
        .until(
            () ->
                registry.get("events.store.wiped").tag("name", "amnesia").functionCounter().count()
                    == 1);
  }

  @Test
  void flood_withAHangInTheMiddle_accountsForEveryEvent() throws Exception {
    int producers = 4;
    int perProducer = 5_000;
    Map<String, AtomicInteger> handled = new ConcurrentHashMap<>();
    EventProcessor<String> processor =
        processor(
            EventProcessor.<String>builder(
                    "ledger",
                    event -> {
                      handled.computeIfAbsent(event, e -> new AtomicInteger()).incrementAndGet();
                      busyWork();
                    })
                .threads(2)
                .queueCapacity(64)
                .spillTo(spill.store("ledger", "only", STORE_TIMEOUT)));
    Map<SubmitResult, AtomicLong> results = new ConcurrentHashMap<>();
    Arrays.stream(SubmitResult.values()).forEach(r -> results.put(r, new AtomicLong()));
    AtomicInteger submitted = new AtomicInteger();

    List<Thread> threads = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      String prefix = "p" + p + "-";
      Thread thread =
          new Thread(
              () -> {
                for (int i = 0; i < perProducer; i++) {
                  results.get(processor.submit(prefix + i)).incrementAndGet();
                  submitted.incrementAndGet();
                }
              });
      threads.add(thread);
      thread.start();
    }
    await().atMost(WAIT).until(() -> submitted.get() >= producers * perProducer / 3);
    redis.freeze();
    await().atMost(WAIT).until(() -> results.get(SubmitResult.UNCONFIRMED).get() > 0);
    redis.thaw();
    for (Thread thread : threads) {
      thread.join(WAIT.toMillis());
    }

    long rejected = results.get(SubmitResult.REJECTED).get();
    long expired = results.get(SubmitResult.EXPIRED).get();
    long total = (long) producers * perProducer;
    // Unconfirmed spills landed once Redis woke, so every event but the rejected is handled.
    await()
        .atMost(WAIT)
        .until(() -> handled.size() + rejected + expired == total && processor.spillBacklog == 0);
    long duplicates = handled.values().stream().mapToLong(count -> count.get() - 1).sum();

    assertThat(submitted.get()).isEqualTo(total);
    assertThat(results.get(SubmitResult.SPILLED).get()).isPositive();
    assertThat(Long.parseLong(redis.command("XLEN", "ledger"))).isZero();
    // At-least-once: only events taken before the hang and acknowledged during it come back.
    assertThat(duplicates).isLessThanOrEqualTo(64);
    assertThat(processor.lost.sum()).isZero();
  }

  private EventProcessor<String> processor(EventProcessor.Builder<String> builder) {
    EventProcessor<String> processor = builder.replayInterval(Duration.ofMillis(20)).build();
    processors.add(processor);
    return processor;
  }

  private static Map<SubmitResult, Integer> submitAll(
      EventProcessor<String> processor, String prefix, int count) {
    Map<SubmitResult, Integer> results = new EnumMap<>(SubmitResult.class);
    for (int i = 0; i < count; i++) {
      results.merge(processor.submit(prefix + i), 1, Integer::sum);
    }
    return results;
  }

  private static Set<String> entries(String stream) throws IOException {
    Set<String> events = ConcurrentHashMap.newKeySet();
    String reply = redis.command("XRANGE", stream, "-", "+");
    if (reply != null && !reply.isEmpty()) {
      // Each entry: id, then "event", then the value, one per line.
      List<String> lines = reply.lines().toList();
      for (int i = 0; i + 2 < lines.size(); i += 3) {
        events.add(lines.get(i + 2));
      }
    }
    return events;
  }

  private static void busyWork() {
    long until = System.nanoTime() + 20_000;
    while (System.nanoTime() < until) {
      Thread.onSpinWait();
    }
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
}
