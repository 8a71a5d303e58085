package dev.oomguard.benchmarks.replay;

import dev.oomguard.executors.BoundedExecutors;
import dev.oomguard.executors.EventProcessor;
import dev.oomguard.executors.OverflowPolicy;
import dev.oomguard.executors.SubmitResult;
import dev.oomguard.executors.redis.EventCodec;
import dev.oomguard.executors.redis.RedisStreamOverflowStore;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.zip.CRC32;

/**
 * Incident 3: {@code FloodWorkload MODE EVENTS [REDIS_URI]}: one producer submits EVENTS device
 * events of 1 KiB each, far faster than two handler threads drain them. MODE:
 *
 * <ul>
 *   <li>{@code without}: {@code Executors.newFixedThreadPool(2)}, the incident's unbounded queue;
 *       the replay runs it with {@code -XX:+ExitOnOutOfMemoryError}, and {@code progress} lines say
 *       how far it got;
 *   <li>{@code redis}: an {@link EventProcessor} with a queue of {@value #QUEUE_CAPACITY} that
 *       spills to Redis Streams at REDIS_URI and replays from there, the incident's whole fix;
 *   <li>{@code bounded}: where no redis-server can be started, {@code BoundedExecutors} with the
 *       same queue and the {@code block} policy: the producer waits for room.
 * </ul>
 *
 * Prints how every event ended (submitted = handled + left in Redis + expired + rejected) and the
 * old generation's peak.
 */
final class FloodWorkload {
  static final int QUEUE_CAPACITY = 1_000;
  static final int EVENT_BYTES = 1024;
  static final int PROGRESS_EVERY = 10_000;

  /** Rounds of CRC32 over the event per handling: a handler costs far more than a submit. */
  private static final int WORK_ROUNDS = 500;

  private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(90);

  private static final byte[] TEMPLATE = template();
  private static final LongAdder HANDLED = new LongAdder();

  @SuppressWarnings("UnusedVariable") // written so that the JIT cannot drop the work behind it
  private static volatile long sink;

  private FloodWorkload() {}

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    int events = Integer.parseInt(args[1]);
    long start = System.nanoTime();
    switch (mode) {
      case "without", "bounded" -> pool(mode, events);
      case "redis" -> processor(events, args[2]);
      default ->
          throw new IllegalArgumentException("mode must be without, redis or bounded, was " + mode);
    }
    Probe.print("millis", (System.nanoTime() - start) / 1_000_000);
    Probe.print("submitted", events);
    Probe.print("handled", HANDLED.sum());
    Probe.print("peakOldGenKb", Probe.peakOldGenKb());
  }

  private static void pool(String mode, int events) throws InterruptedException {
    ExecutorService pool =
        mode.equals("without")
            ? Executors.newFixedThreadPool(2)
            : BoundedExecutors.builder("events")
                .threads(2)
                .queueCapacity(QUEUE_CAPACITY)
                .overflow(OverflowPolicy.block(Duration.ofSeconds(30)))
                .build();
    long rejected = 0;
    for (int i = 0; i < events; i++) {
      String event = event(i);
      try {
        pool.execute(() -> handle(event));
      } catch (RejectedExecutionException e) {
        rejected++;
      }
      progress(i);
    }
    pool.shutdown();
    if (!pool.awaitTermination(DRAIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
      throw new IllegalStateException("the pool did not drain in " + DRAIN_TIMEOUT);
    }
    Probe.print("rejected", rejected);
    Probe.print("spilled", 0);
    Probe.print("expired", 0);
    Probe.print("leftInRedis", 0);
  }

  private static void processor(int events, String redisUri) throws InterruptedException {
    RedisClient client = RedisClient.create(RedisURI.create(redisUri));
    try (StatefulRedisConnection<byte[], byte[]> connection =
        client.connect(ByteArrayCodec.INSTANCE)) {
      RedisStreamOverflowStore<String> store =
          RedisStreamOverflowStore.builder(connection, "device-events:spill", EventCodec.utf8())
              .ttl(Duration.ofMinutes(10))
              .build();
      Map<SubmitResult, Long> results = new EnumMap<>(SubmitResult.class);
      for (SubmitResult result : SubmitResult.values()) {
        results.put(result, 0L);
      }
      try (EventProcessor<String> processor =
          EventProcessor.<String>builder("device-events", FloodWorkload::handle)
              .threads(2)
              .queueCapacity(QUEUE_CAPACITY)
              .spillTo(store)
              .build()) {
        for (int i = 0; i < events; i++) {
          results.merge(processor.submit(event(i)), 1L, Long::sum);
          progress(i);
        }
        Probe.print("handledWhenSubmitted", HANDLED.sum());
        // The spilled events come back through the replay: wait until they are all handled.
        long toHandle =
            results.getOrDefault(SubmitResult.ACCEPTED, 0L)
                + results.getOrDefault(SubmitResult.SPILLED, 0L);
        long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
        while (HANDLED.sum() < toHandle && System.nanoTime() < deadline) {
          Thread.sleep(50);
        }
      }
      Probe.print("accepted", results.getOrDefault(SubmitResult.ACCEPTED, 0L));
      Probe.print("spilled", results.getOrDefault(SubmitResult.SPILLED, 0L));
      Probe.print("rejected", results.getOrDefault(SubmitResult.REJECTED, 0L));
      Probe.print("expired", results.getOrDefault(SubmitResult.EXPIRED, 0L));
      Probe.print("leftInRedis", store.size());
    } finally {
      client.shutdown();
    }
  }

  /**
   * A 1 KiB event, cheap to make: the producer must be faster than the handlers, as in the
   * incident.
   */
  private static String event(int i) {
    byte[] bytes = TEMPLATE.clone();
    for (int at = 7, n = i; at >= 0; at--, n /= 10) {
      bytes[at] = (byte) ('0' + n % 10);
    }
    return new String(bytes, StandardCharsets.ISO_8859_1);
  }

  private static byte[] template() {
    byte[] template = new byte[EVENT_BYTES];
    Arrays.fill(template, (byte) 'x');
    template[8] = ':';
    return template;
  }

  private static void progress(int i) {
    if (i % PROGRESS_EVERY == 0) {
      Probe.print("progress", i);
    }
  }

  private static void handle(String event) {
    byte[] bytes = event.getBytes(StandardCharsets.ISO_8859_1);
    CRC32 crc = new CRC32();
    for (int round = 0; round < WORK_ROUNDS; round++) {
      crc.update(bytes);
    }
    sink = crc.getValue();
    HANDLED.increment();
  }
}
