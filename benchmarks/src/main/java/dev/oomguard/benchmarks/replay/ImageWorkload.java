package dev.oomguard.benchmarks.replay;

import dev.oomguard.executors.MemoryBudget;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.LongAdder;
import java.util.zip.CRC32;
import org.jspecify.annotations.Nullable;

/**
 * Incident 2: {@code ImageWorkload MODE ROUNDS} serves ROUNDS rounds of {@value #CONCURRENT}
 * concurrent image requests; each decodes a {@value #IMAGE_MIB} MiB image, renders it, and holds it
 * for {@value #HOLD_MILLIS} ms while a slow client reads the response. MODE {@code without}
 * allocates as the image server did; {@code with} first takes the image's bytes from a {@link
 * MemoryBudget} of {@value #BUDGET_MIB} MiB. A request that meets {@code OutOfMemoryError} fails
 * (the server's 500) and the next one is served. Prints served, failed and the time it took.
 */
final class ImageWorkload {
  static final int CONCURRENT = 20;
  static final int IMAGE_MIB = 4;
  static final int BUDGET_MIB = 24;
  static final int HOLD_MILLIS = 100;
  private static final long MIB = 1024 * 1024;

  private static final LongAdder SERVED = new LongAdder();
  private static final LongAdder FAILED = new LongAdder();

  @SuppressWarnings("UnusedVariable") // written so that the JIT cannot drop the work behind it
  private static volatile long sink;

  private ImageWorkload() {}

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    int rounds = Integer.parseInt(args[1]);
    @Nullable MemoryBudget budget =
        switch (mode) {
          case "without" -> null;
          case "with" -> MemoryBudget.ofBytes(BUDGET_MIB * MIB);
          default ->
              throw new IllegalArgumentException("mode must be without or with, was " + mode);
        };
    ExecutorService requestThreads = Executors.newFixedThreadPool(CONCURRENT);
    long start = System.nanoTime();
    try {
      for (int round = 0; round < rounds; round++) {
        List<Callable<Void>> requests = new ArrayList<>();
        for (int i = 0; i < CONCURRENT; i++) {
          requests.add(
              () -> {
                serve(budget);
                return null;
              });
        }
        for (Future<Void> request : requestThreads.invokeAll(requests)) {
          request.get();
        }
      }
    } finally {
      requestThreads.shutdownNow();
    }
    Probe.print("millis", (System.nanoTime() - start) / 1_000_000);
    Probe.print("requests", (long) rounds * CONCURRENT);
    Probe.print("served", SERVED.sum());
    Probe.print("failed", FAILED.sum());
  }

  private static void serve(@Nullable MemoryBudget budget) throws InterruptedException {
    try {
      if (budget == null) {
        render(IMAGE_MIB * MIB);
      } else {
        try (MemoryBudget.Lease lease = budget.acquire(IMAGE_MIB * MIB)) {
          render(lease.bytes());
        }
      }
      SERVED.increment();
    } catch (OutOfMemoryError e) {
      FAILED.increment();
    }
  }

  private static void render(long bytes) throws InterruptedException {
    byte[] pixels = new byte[Math.toIntExact(bytes)]; // the decoded image
    for (int i = 0; i < pixels.length; i += 4096) {
      pixels[i] = (byte) i;
    }
    CRC32 crc = new CRC32();
    crc.update(pixels);
    Thread.sleep(HOLD_MILLIS); // the response goes out to a slow client while the image is held
    sink = crc.getValue() + pixels[pixels.length - 1];
  }
}
