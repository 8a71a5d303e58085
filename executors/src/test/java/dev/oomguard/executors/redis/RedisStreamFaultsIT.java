package dev.oomguard.executors.redis;

import static dev.oomguard.executors.redis.RedisStreamOverflowStore.DEFAULT_GROUP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.oomguard.executors.OverflowStore.Spilled;
import dev.oomguard.executors.OverflowStoreException;
import dev.oomguard.testsupport.CapturedLog;
import dev.oomguard.testsupport.LocalRedis;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The store against a real {@code redis-server} that misbehaves: hangs, restarts, refuses, holds
 * garbage.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RedisStreamFaultsIT {
  private static final Duration TIMEOUT = Duration.ofMillis(500);

  /** UTF-8, except that the text "null" decodes to null, as Jackson reads the JSON literal null. */
  private static final EventCodec<String> NULL_FOR_NULL =
      new EventCodec<>() {
        @Override
        public byte[] encode(String event) {
          return EventCodec.utf8().encode(event);
        }

        @Override
        @SuppressWarnings("NullAway") // the point: a codec that breaks its contract
        public String decode(byte[] bytes) {
          String event = EventCodec.utf8().decode(bytes);
          return "null".equals(event) ? nullString() : event;
        }
      };

  private static LocalRedis redis;
  private static RedisClient client;
  private static StatefulRedisConnection<byte[], byte[]> connection;

  @BeforeAll
  static void startRedis() throws IOException {
    redis = LocalRedis.start();
    client = RedisClient.create(RedisURI.create(redis.uri()));
    client.setOptions(
        ClientOptions.builder()
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .build());
    connection = client.connect(ByteArrayCodec.INSTANCE);
  }

  @AfterAll
  static void stopRedis() {
    connection.close();
    client.shutdown();
    redis.close();
  }

  @BeforeEach
  void emptyRedis() throws IOException {
    redis.command("FLUSHALL");
  }

  @AfterEach
  void thawAndReset() throws IOException {
    if (!redis.isRunning()) {
      redis.restart();
    }
    try {
      redis.thaw();
    } catch (IllegalStateException notRunning) {
      // restarted above
    }
    redis.command("CONFIG", "SET", "maxmemory", "0");
  }

  @Test
  void trim_withAnEntryIdInTheFuture_removesOnlyEntriesOlderThanTheTtlByRedisTime()
      throws IOException {
    RedisStreamOverflowStore<String> store = store("future").ttl(Duration.ofMinutes(10)).build();
    long now = Long.parseLong(redis.command("TIME").split("\n")[0]) * 1000;
    redis.command(
        "XADD", "future", (now - Duration.ofMinutes(11).toMillis()) + "-0", "event", "too-old");
    for (int i = 0; i < 250; i++) {
      store.spill("real-" + i); // ids by Redis's clock: two hours older than the next entry
    }
    redis.command(
        "XADD",
        "future",
        (now + Duration.ofHours(2).toMillis()) + "-0",
        "event",
        "from-the-future");
    for (int i = 250; i < 500; i++) {
      store.spill("real-" + i); // ids after the future one
    }

    // The trim runs at most once a second: spill until it has removed the old entry.
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              store.spill("later");
              return store.trimmed() >= 1;
            });

    assertThat(store.trimmed()).isEqualTo(1);
    List<String> events = store.take(1_000).stream().map(Spilled::event).toList();
    assertThat(events)
        .doesNotContain("too-old")
        .contains("from-the-future")
        .containsAll(java.util.stream.IntStream.range(0, 500).mapToObj(i -> "real-" + i).toList());
  }

  @Test
  void trim_removingSpills_isCountedAndLoggedOncePerInterval() throws IOException {
    try (CapturedLog log = CapturedLog.of(RedisStreamOverflowStore.class.getName())) {
      RedisStreamOverflowStore<String> store = store("expiring").ttl(Duration.ofMillis(40)).build();
      long spills = 0;
      while (store.trimmed() < 2_000) {
        store.spill("event-" + spills++);
      }

      assertThat(log.messages(Level.WARNING))
          .filteredOn(m -> m.contains("removed spilled events never handled"))
          .hasSize(1);
      assertThat(Long.parseLong(redis.command("XLEN", "expiring")) + store.trimmed())
          .isLessThanOrEqualTo(spills);
    }
  }

  @Test
  void take_entriesTheCodecReadsAsNull_areDeletedCountedAndLoggedOnce() throws IOException {
    try (CapturedLog log = CapturedLog.of(RedisStreamOverflowStore.class.getName())) {
      RedisStreamOverflowStore<String> store = store("nulls").build();
      store.spill("null");
      store.spill("good");
      store.spill("null");
      store.spill("null");

      List<Spilled<String>> taken = store.take(10);

      assertThat(taken).extracting(Spilled::event).containsExactly("good");
      assertThat(store.unreadable()).isEqualTo(3);
      assertThat(redis.command("XLEN", "nulls"))
          .isEqualTo("1"); // only "good", taken and not acknowledged
      assertThat(redis.command("XPENDING", "nulls", DEFAULT_GROUP)).startsWith("1\n");
      assertThat(log.messages(Level.WARNING))
          .filteredOn(m -> m.contains("codec read as null"))
          .hasSize(1);
    }
  }

  @Test
  void take_entriesWithoutAnEventField_areDeletedAndCountedUnderTheirOwnKind() throws IOException {
    try (CapturedLog log = CapturedLog.of(RedisStreamOverflowStore.class.getName())) {
      RedisStreamOverflowStore<String> store = store("garbage").build();
      store.spill("good");
      redis.command("XADD", "garbage", "*", "payload", "not ours");

      assertThat(store.take(10)).extracting(Spilled::event).containsExactly("good");
      assertThat(store.unreadable()).isEqualTo(1);
      assertThat(redis.command("XLEN", "garbage")).isEqualTo("1");
      assertThat(log.messages(Level.WARNING))
          .filteredOn(m -> m.contains("no 'event' field"))
          .hasSize(1);
    }
  }

  @Test
  void spill_toAHungRedis_failsWithinItsOneDeadline_asMayHaveStored() throws IOException {
    RedisStreamOverflowStore<String> store = store("hung").build();
    store.spill("before");
    redis.freeze();
    long start = System.nanoTime();
    OverflowStoreException failure =
        catchThrowableOfType(OverflowStoreException.class, () -> store.spill("during"));
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    redis.thaw();

    assertThat(failure.mayHaveStored()).isTrue();
    assertThat(failure)
        .hasMessageContaining("XADD on stream hung did not complete within " + TIMEOUT);
    assertThat(took)
        .isGreaterThanOrEqualTo(TIMEOUT)
        .isLessThan(TIMEOUT.multipliedBy(3).dividedBy(2));
    // What a hang times out is applied when Redis answers again: "may have stored" was honest.
    await().atMost(Duration.ofSeconds(30)).until(() -> "2".equals(redis.command("XLEN", "hung")));
  }

  @Test
  void spills_queuedBehindUnansweredBatches_areRefusedAsNotStored_andOnlyThoseSentCanLand()
      throws Exception {
    RedisStreamOverflowStore<String> store = store("honest").build();
    store.spill("before");
    redis.freeze();
    java.util.concurrent.atomic.AtomicInteger mayHaveStored =
        new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger notStored =
        new java.util.concurrent.atomic.AtomicInteger();
    List<Thread> producers = new java.util.ArrayList<>();
    for (int t = 0; t < 12; t++) {
      String event = "during-" + t;
      Thread producer =
          new Thread(
              () -> {
                OverflowStoreException failure =
                    catchThrowableOfType(OverflowStoreException.class, () -> store.spill(event));
                (failure.mayHaveStored() ? mayHaveStored : notStored).incrementAndGet();
              });
      producers.add(producer);
      producer.start();
      if (t
          < 2) { // the first two each go out as a batch of one: wait until each is waiting for its
        // answer
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> producer.getState() == Thread.State.TIMED_WAITING);
      }
    }
    for (Thread producer : producers) {
      producer.join(30_000);
    }
    long start = System.nanoTime();
    OverflowStoreException refused =
        catchThrowableOfType(OverflowStoreException.class, () -> store.spill("refused at once"));
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    redis.thaw();
    // Refused until Redis has answered the two batches it held; then answered after both.
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreException(OverflowStoreException.class)
        .untilAsserted(() -> store.spill("after"));

    assertThat(mayHaveStored.get()).isEqualTo(2);
    assertThat(notStored.get()).isEqualTo(10);
    assertThat(refused.mayHaveStored()).isFalse();
    assertThat(took).isLessThan(TIMEOUT.dividedBy(2));
    assertThat(redis.command("XLEN", "honest")).isEqualTo("4"); // before, the two sent, after
  }

  @Test
  void take_fromAHungRedis_boundsAllItsCommandsByOneDeadline() throws IOException {
    RedisStreamOverflowStore<String> store =
        store("hung-take").reclaimAfter(Duration.ofMillis(1)).build();
    store.spill("one");
    store.take(1); // makes the group; the next take reclaims (XAUTOCLAIM) and reads (XREADGROUP)
    redis.freeze();
    long start = System.nanoTime();
    OverflowStoreException failure =
        catchThrowableOfType(OverflowStoreException.class, () -> store.take(10));
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    redis.thaw();

    assertThat(failure).hasMessageContaining("did not complete within " + TIMEOUT);
    assertThat(took).isLessThan(TIMEOUT.multipliedBy(3).dividedBy(2));
  }

  @Test
  void spill_refusedByRedis_isCertainlyNotStored() throws IOException {
    RedisStreamOverflowStore<String> store = store("full").build();
    store.spill("fits");
    redis.command("CONFIG", "SET", "maxmemory-policy", "noeviction");
    redis.command("CONFIG", "SET", "maxmemory", "1");

    OverflowStoreException failure =
        catchThrowableOfType(OverflowStoreException.class, () -> store.spill("does not fit"));
    redis.command("CONFIG", "SET", "maxmemory", "0");

    assertThat(failure.mayHaveStored()).isFalse();
    assertThat(failure).hasMessageContaining("OOM");
    assertThat(redis.command("XLEN", "full")).isEqualTo("1");
  }

  @Test
  void restartWithoutPersistence_isDetectedCountedAndWarned() throws IOException {
    try (CapturedLog log = CapturedLog.of(RedisStreamOverflowStore.class.getName())) {
      RedisStreamOverflowStore<String> store = store("volatile").build();
      store.spill("lost-1");
      store.spill("lost-2");
      assertThat(store.take(1)).hasSize(1);
      redis.kill();
      redis.restart();

      await()
          .atMost(Duration.ofSeconds(30))
          .ignoreException(OverflowStoreException.class)
          .untilAsserted(() -> store.spill("after"));
      List<String> after = store.take(10).stream().map(Spilled::event).toList();

      assertThat(after).containsExactly("after");
      assertThat(store.wiped()).isEqualTo(1);
      assertThat(log.messages(Level.WARNING))
          .filteredOn(m -> m.contains("vanished") && m.contains("lost"))
          .hasSize(1);
    }
  }

  @Test
  void firstUse_ofAStreamWithNoGroupYet_isNotAWipe() {
    RedisStreamOverflowStore<String> store = store("fresh").build();
    store.spill("first");

    assertThat(store.take(10)).extracting(Spilled::event).containsExactly("first");
    assertThat(store.wiped()).isZero();
  }

  @Test
  void reclaim_neverHandsThisConsumerWhatItStillHolds_butReclaimsWhatItReleased() {
    RedisStreamOverflowStore<String> store =
        store("own").reclaimAfter(Duration.ofMillis(50)).build();
    store.spill("held");
    List<Spilled<String>> held = store.take(10);
    store.spill("new");

    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                !String.valueOf(
                            redis.command(
                                "XPENDING", "own", DEFAULT_GROUP, "IDLE", "100", "-", "+", "10"))
                        .isBlank()
                    && !"null"
                        .equals(
                            redis.command(
                                "XPENDING", "own", DEFAULT_GROUP, "IDLE", "100", "-", "+", "10")));
    assertThat(store.take(10)).extracting(Spilled::event).containsExactly("new");

    store.release(held);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> store.take(10).stream().anyMatch(s -> s.event().equals("held")));
  }

  private static RedisStreamOverflowStore.Builder<String> store(String stream) {
    return RedisStreamOverflowStore.builder(connection, stream, NULL_FOR_NULL).timeout(TIMEOUT);
  }

  @SuppressWarnings("NullAway")
  private static String nullString() {
    return null;
  }
}
