package dev.oomguard.executors;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.zip.CRC32;

/**
 * Incident 3 in a small heap: one producer submits events far faster than two workers drain them,
 * each task holding its own 1 KiB event. {@code FloodWorkload MODE TASKS}, MODE {@code jdk} for
 * {@code Executors.newFixedThreadPool(2)} (an unbounded queue) or {@code oomguard} for {@code
 * BoundedExecutors.newFixedThreadPool("flood", 2, 1000)}. Prints {@code key=value} lines; the test
 * runs it with {@code -Xmx64m -XX:+ExitOnOutOfMemoryError}, so an OOM ends the JVM at once.
 */
final class FloodWorkload {
  static final int EVENT_BYTES = 1024;
  static final int QUEUE_CAPACITY = 1_000;

  /** Rounds of CRC32 over the event per task: makes a task cost far more than a submit. */
  private static final int WORK_ROUNDS = 2_000;

  private static final LongAdder RAN = new LongAdder();
  private static volatile long sink;

  private FloodWorkload() {}

  public static void main(String[] args) throws InterruptedException {
    String mode = args[0];
    int tasks = Integer.parseInt(args[1]);
    ExecutorService pool =
        switch (mode) {
          case "jdk" -> Executors.newFixedThreadPool(2);
          case "oomguard" -> BoundedExecutors.newFixedThreadPool("flood", 2, QUEUE_CAPACITY);
          default ->
              throw new IllegalArgumentException("mode must be jdk or oomguard, was " + mode);
        };
    long rejected = 0;
    for (int i = 0; i < tasks; i++) {
      byte[] event = new byte[EVENT_BYTES];
      event[i % EVENT_BYTES] = (byte) i;
      try {
        pool.execute(() -> handle(event));
      } catch (RejectedExecutionException e) {
        rejected++;
      }
      if (i % 50_000 == 0) {
        System.out.println("progress=" + i);
      }
    }
    pool.shutdown();
    if (!pool.awaitTermination(60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the pool did not drain in 60 s");
    }
    System.out.println("submitted=" + tasks);
    System.out.println("ran=" + RAN.sum());
    System.out.println("rejected=" + rejected);
    if (pool instanceof BoundedThreadPool bounded) {
      System.out.println("counted.rejected=" + bounded.rejected.sum());
      System.out.println("counted.discarded=" + bounded.discarded.sum());
      System.out.println("counted.expired=" + bounded.expiredCount());
    }
    System.out.println("maxHeapMb=" + Runtime.getRuntime().maxMemory() / (1024 * 1024));
  }

  private static void handle(byte[] event) {
    CRC32 crc = new CRC32();
    for (int round = 0; round < WORK_ROUNDS; round++) {
      crc.update(event);
    }
    sink = crc.getValue();
    RAN.increment();
  }
}
