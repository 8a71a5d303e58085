package dev.oomguard.benchmarks;

import dev.oomguard.executors.BoundedExecutorService;
import dev.oomguard.executors.BoundedExecutors;
import dev.oomguard.executors.EventProcessor;
import dev.oomguard.executors.SubmitResult;
import dev.oomguard.executors.redis.EventCodec;
import dev.oomguard.executors.redis.RedisStreamOverflowStore;
import dev.oomguard.testsupport.LocalRedis;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What an {@code EventProcessor} costs, in events per second:
 *
 * <ul>
 *   <li>{@code submit}: at normal load (batches of {@value #BATCH} events to 2 handler threads,
 *       waiting for each batch, so the queue never fills), {@code impl=processor} ({@code
 *       EventProcessor.submit}) against {@code impl=pool} (a plain {@code BoundedExecutors} pool's
 *       {@code execute} of a task that hands the event to the same handler, one task per event, as
 *       the code of incident 3 did).
 *   <li>{@code spill}: a flood from {@value #PRODUCERS} threads whose every submit finds the queue
 *       full and is written to a {@code redis-server} on loopback, {@value #EVENT_BYTES}-byte
 *       events. Its peer, {@code xaddPipelined}: the same {@code XADD}s from Lettuce with {@value
 *       #PIPELINE} in flight, what any Java client reaches on this connection; the spill's ceiling.
 *   <li>{@code replay}: a processor starts with {@value #SPILLED} events spilled before it and
 *       handles them all (take, handle, acknowledge); {@code fsync=no} without persistence, {@code
 *       fsync=always} with {@code appendonly yes} and {@code appendfsync always}.
 * </ul>
 *
 * The Redis benchmarks start their own {@code redis-server} (as the tests do).
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar EventProcessorBenchmark -f 1 -wi 2 -w
 * 1s -i 3 -r 2s -prof gc}
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class EventProcessorBenchmark {
  static final int BATCH = 256;
  static final int SPILLED = 50_000;
  static final int PRODUCERS = 16;
  static final int PIPELINE = 16;
  static final int EVENT_BYTES = 1024;
  static final String EVENT = event();
  static final byte[] EVENT_UTF8 = EVENT.getBytes(StandardCharsets.UTF_8);
  static final byte[] FIELD = "event".getBytes(StandardCharsets.US_ASCII);

  /** Submit at normal load: the processor against a plain pool running the same handler. */
  @State(Scope.Benchmark)
  public static class Submitting {
    @Param({"pool", "processor"})
    String impl = "";

    final AtomicInteger pending = new AtomicInteger();
    final Consumer<String> handler = event -> pending.decrementAndGet();
    BoundedExecutorService pool = BoundedExecutors.newFixedThreadPool("unused", 1, 1);
    EventProcessor<String> processor =
        EventProcessor.builder("unused", handler).threads(1).queueCapacity(1).build();

    @Setup(Level.Trial)
    public void setUp() {
      pool.close();
      processor.close();
      pool = BoundedExecutors.newFixedThreadPool("bench", 2, 1024);
      processor = EventProcessor.builder("bench", handler).threads(2).queueCapacity(1024).build();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      pool.close();
      processor.close();
    }
  }

  /**
   * A redis-server on loopback and a connection to it; with {@code appendfsync always} for {@code
   * fsync=always}.
   */
  @State(Scope.Benchmark)
  public static class Redis {
    @Param({"no", "always"})
    String fsync = "no";

    LocalRedis server;
    RedisClient client;
    StatefulRedisConnection<byte[], byte[]> connection;
    int streams;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
      server = LocalRedis.start();
      if (fsync.equals("always")) {
        server.command("CONFIG", "SET", "appendonly", "yes");
        server.command("CONFIG", "SET", "appendfsync", "always");
      }
      client = RedisClient.create(RedisURI.create(server.uri()));
      connection = client.connect(ByteArrayCodec.INSTANCE);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      connection.close();
      client.shutdown();
      server.close();
    }

    RedisStreamOverflowStore<String> store(String consumer) {
      return RedisStreamOverflowStore.builder(connection, "bench-" + streams, EventCodec.utf8())
          .consumer(consumer)
          .ttl(Duration.ofMinutes(10))
          .build();
    }

    /**
     * Writes {@code count} events to the current stream with {@value #PIPELINE} XADDs in flight.
     */
    void fill(int count) {
      byte[] key = ("bench-" + streams).getBytes(StandardCharsets.UTF_8);
      RedisAsyncCommands<byte[], byte[]> redis = connection.async();
      List<RedisFuture<String>> inFlight = new ArrayList<>(256);
      for (int i = 0; i < count; i++) {
        inFlight.add(redis.xadd(key, Map.of(FIELD, EVENT_UTF8)));
        if (inFlight.size() == 256) {
          awaitAll(inFlight);
        }
      }
      awaitAll(inFlight);
    }
  }

  /** A processor whose one handler thread is held and whose queue is full: every submit spills. */
  @State(Scope.Benchmark)
  public static class Spilling {
    final CountDownLatch release = new CountDownLatch(1);
    EventProcessor<String> processor;

    @Setup(Level.Trial)
    public void setUp(Redis redis) {
      redis.streams++;
      processor =
          EventProcessor.<String>builder("spilling", event -> awaitQuietly(release))
              .threads(1)
              .queueCapacity(1)
              .spillTo(redis.store("spilling"))
              .replayInterval(Duration.ofHours(1))
              .build();
      processor.submit(EVENT); // taken by the handler thread, which then waits
      processor.submit(EVENT); // fills the queue
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      release.countDown();
      processor.close();
    }
  }

  /** The XADD baseline's stream. */
  @State(Scope.Benchmark)
  public static class Pipelined {
    byte[] key;

    @Setup(Level.Trial)
    public void setUp(Redis redis) {
      redis.streams++;
      key = ("bench-" + redis.streams).getBytes(StandardCharsets.UTF_8);
    }
  }

  /** {@value #SPILLED} events in a fresh stream before each replay. */
  @State(Scope.Benchmark)
  public static class Spilled {
    @Setup(Level.Invocation)
    public void setUp(Redis redis) {
      redis.streams++;
      redis.fill(SPILLED);
    }
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void submit(Submitting state) {
    state.pending.addAndGet(BATCH);
    for (int i = 0; i < BATCH; i++) {
      if (state.impl.equals("pool")) {
        String event = EVENT;
        state.pool.execute(
            () -> state.handler.accept(event)); // the event bound to its task, as any caller must
      } else if (state.processor.submit(EVENT) != SubmitResult.ACCEPTED) {
        throw new IllegalStateException("the queue was meant never to fill");
      }
    }
    while (state.pending.get() != 0) {
      yieldToOthers(); // not spin: producer and handlers outnumber the cores of a small machine
    }
  }

  @Benchmark
  @Threads(PRODUCERS)
  public SubmitResult spill(Spilling state) {
    SubmitResult result = state.processor.submit(EVENT);
    if (result != SubmitResult.SPILLED) {
      throw new IllegalStateException("expected a spill, got " + result);
    }
    return result;
  }

  @Benchmark
  @OperationsPerInvocation(PIPELINE)
  public void xaddPipelined(Redis redis, Pipelined stream) {
    RedisAsyncCommands<byte[], byte[]> commands = redis.connection.async();
    List<RedisFuture<String>> inFlight = new ArrayList<>(PIPELINE);
    for (int i = 0; i < PIPELINE; i++) {
      inFlight.add(commands.xadd(stream.key, Map.of(FIELD, EVENT_UTF8)));
    }
    awaitAll(inFlight);
  }

  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @OperationsPerInvocation(SPILLED)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  @Warmup(iterations = 1)
  @Measurement(iterations = 3)
  public void replay(Redis redis, Spilled spilled) throws InterruptedException {
    CountDownLatch handled = new CountDownLatch(SPILLED);
    EventProcessor<String> processor =
        EventProcessor.<String>builder("replaying", event -> handled.countDown())
            .threads(2)
            .queueCapacity(1024)
            .spillTo(redis.store("replaying"))
            .replayInterval(Duration.ofMillis(10))
            .build();
    try {
      if (!handled.await(5, TimeUnit.MINUTES)) {
        throw new IllegalStateException(
            handled.getCount() + " spilled events not replayed by " + processor);
      }
    } finally {
      processor.close();
    }
  }

  private static void awaitAll(List<RedisFuture<String>> inFlight) {
    try {
      for (RedisFuture<String> reply : inFlight) {
        reply.get(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(e);
    }
    inFlight.clear();
  }

  private static String event() {
    StringBuilder json =
        new StringBuilder("{\"device\":\"sensor-17\",\"status\":\"ok\",\"readings\":\"");
    while (json.length() < EVENT_BYTES - 2) {
      json.append((char) ('a' + json.length() % 26));
    }
    return json.append("\"}").toString();
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // The one place the benchmark gives up its core: on 2 cores a spinning waiter starves the work.
  @SuppressWarnings("ThreadPriorityCheck")
  static void yieldToOthers() {
    Thread.yield();
  }
}
