package dev.oomguard.executors.redis;

import static dev.oomguard.executors.redis.RedisStreamOverflowStore.DEFAULT_GROUP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.oomguard.executors.OverflowStore.Spilled;
import dev.oomguard.executors.OverflowStoreException;
import dev.oomguard.testsupport.LocalRedis;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The store against a real {@code redis-server} on loopback. */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RedisStreamOverflowStoreIT {
  /** UTF-8, except that it cannot read an entry that starts with "garbage". */
  private static final EventCodec<String> UTF8 =
      new EventCodec<>() {
        @Override
        public byte[] encode(String event) {
          return EventCodec.utf8().encode(event);
        }

        @Override
        public String decode(byte[] bytes) {
          String event = EventCodec.utf8().decode(bytes);
          if (event.startsWith("garbage")) {
            throw new IllegalArgumentException("not an event: " + event);
          }
          return event;
        }
      };

  private static LocalRedis redis;
  private static RedisClient client;
  private static StatefulRedisConnection<byte[], byte[]> connection;

  @BeforeAll
  static void startRedis() throws IOException {
    redis = LocalRedis.start();
    client = RedisClient.create(RedisURI.create(redis.uri()));
    // Fail at once while Redis is unreachable instead of queueing commands until it is back.
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

  @Test
  void take_returnsSpilledEventsOldestFirst_andAcknowledgeRemovesThem() throws IOException {
    RedisStreamOverflowStore<String> store = store("spill").build();
    for (int i = 0; i < 10; i++) {
      store.spill("event-" + i);
    }

    List<Spilled<String>> taken = store.take(4);
    taken.forEach(store::acknowledge);

    assertThat(taken)
        .extracting(Spilled::event)
        .containsExactly("event-0", "event-1", "event-2", "event-3");
    assertThat(store.size()).isEqualTo(6);
    assertThat(redis.command("XLEN", "spill")).isEqualTo("6");
    assertThat(store.take(100))
        .extracting(Spilled::event)
        .containsExactly("event-4", "event-5", "event-6", "event-7", "event-8", "event-9");
  }

  @Test
  void take_handsEachEventToOneConsumerOnly() {
    RedisStreamOverflowStore<String> a = store("shared").consumer("a").build();
    RedisStreamOverflowStore<String> b = store("shared").consumer("b").build();
    for (int i = 0; i < 100; i++) {
      a.spill("event-" + i);
    }

    List<String> takenByA = events(a.take(30));
    List<String> takenByB = events(b.take(1_000));

    assertThat(takenByA).hasSize(30);
    assertThat(takenByB).hasSize(70).doesNotContainAnyElementsOf(takenByA);
  }

  @Test
  void take_reclaimsEventsAnotherConsumerLeftUnacknowledged() {
    RedisStreamOverflowStore<String> crashed = store("reclaim").consumer("crashed").build();
    RedisStreamOverflowStore<String> survivor =
        store("reclaim").consumer("survivor").reclaimAfter(Duration.ofMillis(200)).build();
    for (int i = 0; i < 5; i++) {
      crashed.spill("event-" + i);
    }
    assertThat(crashed.take(5)).hasSize(5); // and never acknowledged

    List<String> reclaimed = new ArrayList<>();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              survivor
                  .take(10)
                  .forEach(
                      spilled -> {
                        reclaimed.add(spilled.event());
                        survivor.acknowledge(spilled);
                      });
              return reclaimed.size() >= 5;
            });

    assertThat(reclaimed).containsExactly("event-0", "event-1", "event-2", "event-3", "event-4");
    assertThat(survivor.size()).isZero();
  }

  @Test
  void take_entriesTrimmedWhilePending_areNotHandedOutAgain() throws IOException {
    RedisStreamOverflowStore<String> crashed = store("trimmed").consumer("crashed").build();
    RedisStreamOverflowStore<String> survivor =
        store("trimmed").consumer("survivor").reclaimAfter(Duration.ofMillis(100)).build();
    crashed.spill("event-0");
    crashed.spill("event-1");
    assertThat(crashed.take(2)).hasSize(2);
    redis.command("XTRIM", "trimmed", "MAXLEN", "0");
    // Both are now pending for the crashed consumer, with no entry behind them: wait until they
    // are idle long enough for the survivor to claim them.
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                String.valueOf(
                            redis.command(
                                "XPENDING",
                                "trimmed",
                                DEFAULT_GROUP,
                                "IDLE",
                                "150",
                                "-",
                                "+",
                                "10"))
                        .lines()
                        .count()
                    == 8);

    assertThat(survivor.take(10)).isEmpty();
    if (redisMajorVersion() >= 7) { // 6.2's XAUTOCLAIM leaves deleted entries in the pending list
      assertThat(redis.command("XPENDING", "trimmed", DEFAULT_GROUP)).startsWith("0\n");
    }
  }

  @Test
  void spill_trimsEntriesOlderThanTheTtl() throws IOException {
    RedisStreamOverflowStore<String> store = store("ttl").ttl(Duration.ofMinutes(10)).build();
    long elevenMinutesAgo = System.currentTimeMillis() - Duration.ofMinutes(11).toMillis();
    for (int i = 0; i < 10; i++) {
      redis.command("XADD", "ttl", elevenMinutesAgo + "-" + i, "event", "old-" + i);
    }
    redis.command(
        "XADD",
        "ttl",
        (elevenMinutesAgo + Duration.ofMinutes(2).toMillis()) + "-0",
        "event",
        "recent");

    store.spill("new");

    // The trim goes out with the spill, and is not waited for.
    await().atMost(Duration.ofSeconds(30)).until(() -> "2".equals(redis.command("XLEN", "ttl")));
    assertThat(events(store.take(10))).containsExactly("recent", "new");
    await().atMost(Duration.ofSeconds(30)).until(() -> store.trimmed() == 10);
  }

  @Test
  void spill_underALongFlood_keepsOnlyATtlOfEntries() throws IOException {
    Duration ttl = Duration.ofMillis(50);
    RedisStreamOverflowStore<String> store = store("flood").ttl(ttl).build();
    String first = null;
    int spilled = 0;
    // Spill until the stream has seen four TTLs pass on Redis's own clock.
    while (first == null || millis(lastId("flood")) - millis(first) < 4 * ttl.toMillis()) {
      store.spill("event-" + spilled++);
      if (first == null) {
        first = lastId("flood");
      }
    }

    assertThat(Long.parseLong(redis.command("XLEN", "flood"))).isLessThan(spilled);
    // The trim runs every quarter TTL: nothing older than a TTL and a quarter (1 ms of rounding).
    assertThat(millis(firstId("flood")))
        .isGreaterThanOrEqualTo(millis(lastId("flood")) - ttl.toMillis() * 5 / 4 - 1);
    assertThat(store.trimmed()).isPositive();
  }

  @Test
  void take_dropsAndLogsEntriesTheCodecCannotRead() throws IOException {
    RedisStreamOverflowStore<String> store = store("corrupt").build();
    store.spill("good-1");
    redis.command("XADD", "corrupt", "*", "event", "garbage");
    store.spill("good-2");

    assertThat(events(store.take(10))).containsExactly("good-1", "good-2");
    assertThat(redis.command("XLEN", "corrupt")).isEqualTo("2");
  }

  @Test
  void redisDown_failsFastWithClearErrors_andRecoversWhenItIsBack() throws IOException {
    RedisStreamOverflowStore<String> store = store("outage").timeout(Duration.ofSeconds(1)).build();
    store.spill("before");
    redis.kill();
    try {
      assertThatThrownBy(() -> store.spill("during"))
          .isInstanceOf(OverflowStoreException.class)
          .hasMessageContaining("XADD on stream outage");
      assertThatThrownBy(() -> store.take(1)).isInstanceOf(OverflowStoreException.class);
      assertThat(store.size()).isEqualTo(-1);
    } finally {
      redis.restart();
    }

    // Lettuce reconnects by itself; the restarted Redis is empty, the group is made again on take.
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreException(OverflowStoreException.class)
        .untilAsserted(() -> store.spill("after"));
    assertThat(events(store.take(10))).containsExactly("after");
  }

  @Test
  void builder_rejectsBadSettingsByName() {
    assertThatThrownBy(() -> store("s").ttl(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ttl must be positive, was PT0S");
    assertThatThrownBy(() -> store("s").reclaimAfter(Duration.ofSeconds(-1)))
        .hasMessage("reclaimAfter must be positive, was PT-1S");
    assertThatThrownBy(() -> store(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("stream must not be blank");
    assertThatThrownBy(() -> store("s").build().take(0))
        .hasMessage("max must be at least 1, was 0");
  }

  private static RedisStreamOverflowStore.Builder<String> store(String stream) {
    return RedisStreamOverflowStore.builder(connection, stream, UTF8);
  }

  private static List<String> events(List<Spilled<String>> spilled) {
    return spilled.stream().map(Spilled::event).toList();
  }

  private static String lastId(String stream) throws IOException {
    return redis.command("XREVRANGE", stream, "+", "-", "COUNT", "1").split("\n")[0];
  }

  private static String firstId(String stream) throws IOException {
    return redis.command("XRANGE", stream, "-", "+", "COUNT", "1").split("\n")[0];
  }

  private static int redisMajorVersion() throws IOException {
    String info = String.valueOf(redis.command("INFO", "server"));
    String version = info.substring(info.indexOf("redis_version:") + "redis_version:".length());
    return Integer.parseInt(version.substring(0, version.indexOf('.')));
  }

  private static long millis(String id) {
    return Long.parseLong(id.substring(0, id.indexOf('-')));
  }
}
