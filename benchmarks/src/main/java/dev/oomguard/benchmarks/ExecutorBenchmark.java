package dev.oomguard.benchmarks;

import dev.oomguard.executors.BoundedExecutors;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 * {@code execute()} throughput at normal load: each producer hands {@value #BATCH} trivial tasks to
 * a pool of {@value #WORKERS} workers and waits until they have run, so the queue (capacity {@value
 * #QUEUE_CAPACITY}) never fills and no overflow path is taken; a score is tasks handed over and run
 * per second. {@code impl=jdk} is a {@code ThreadPoolExecutor} over an {@code ArrayBlockingQueue}
 * of the same capacity; {@code impl=oomguard} is {@code BoundedExecutors.newFixedThreadPool};
 * {@code impl=oomguard-timed} adds the queue-wait timer ({@code meterRegistry} with a {@code
 * SimpleMeterRegistry}), so its cost is the difference from {@code oomguard}. One and two producer
 * threads.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar ExecutorBenchmark -f 1 -wi 3 -w 2s -i 5
 * -r 2s -prof gc}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ExecutorBenchmark {
  static final int WORKERS = 2;
  static final int QUEUE_CAPACITY = 1024;

  /** Per producer and invocation; two producers queue at most twice this, half the capacity. */
  static final int BATCH = 256;

  @Param({"jdk", "oomguard", "oomguard-timed"})
  String impl = "";

  private ExecutorService executor =
      new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(1));

  @Setup(Level.Trial)
  public void setUp() {
    executor.shutdown();
    executor =
        switch (impl) {
          case "jdk" ->
              new ThreadPoolExecutor(
                  WORKERS,
                  WORKERS,
                  0L,
                  TimeUnit.MILLISECONDS,
                  new ArrayBlockingQueue<>(QUEUE_CAPACITY));
          case "oomguard" -> BoundedExecutors.newFixedThreadPool("bench", WORKERS, QUEUE_CAPACITY);
          case "oomguard-timed" ->
              BoundedExecutors.builder("bench")
                  .threads(WORKERS)
                  .queueCapacity(QUEUE_CAPACITY)
                  .meterRegistry(new SimpleMeterRegistry())
                  .build();
          default ->
              throw new IllegalArgumentException(
                  "impl must be jdk, oomguard or oomguard-timed, was " + impl);
        };
  }

  @TearDown(Level.Trial)
  public void tearDown() throws InterruptedException {
    executor.shutdown();
    if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
      throw new IllegalStateException(impl + " did not terminate");
    }
  }

  /**
   * One producer's batch: the same task object, so that only the executor's own allocation shows.
   */
  @State(Scope.Thread)
  public static class Producer {
    final AtomicInteger pending = new AtomicInteger();
    final Runnable task = pending::decrementAndGet;
  }

  @Benchmark
  @Threads(1)
  @OperationsPerInvocation(BATCH)
  public void oneProducer(Producer producer) {
    executeBatch(producer);
  }

  @Benchmark
  @Threads(2)
  @OperationsPerInvocation(BATCH)
  public void twoProducers(Producer producer) {
    executeBatch(producer);
  }

  private void executeBatch(Producer producer) {
    producer.pending.addAndGet(BATCH);
    for (int i = 0; i < BATCH; i++) {
      executor.execute(producer.task);
    }
    while (producer.pending.get() != 0) {
      // Yield, not spin: producers and workers together outnumber the cores of a small machine.
      EventProcessorBenchmark.yieldToOthers();
    }
  }
}
