package dev.oomguard.executors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Run by {@link WithoutMicrometerTest} in a JVM whose classpath lacks Micrometer: loads and
 * initialises every class of the module but the metrics binders, then uses each feature that does
 * not need a registry. {@code WithoutMicrometerWorkload CLASSES_DIR}; prints {@code key=value}.
 */
final class WithoutMicrometerWorkload {
  private WithoutMicrometerWorkload() {}

  public static void main(String[] args) throws Exception {
    try {
      Class.forName("io.micrometer.core.instrument.MeterRegistry");
      System.out.println("micrometerAbsent=0");
    } catch (ClassNotFoundException expected) {
      System.out.println("micrometerAbsent=1");
    }
    System.out.println("classesLoaded=" + loadAllBut(Path.of(args[0]), "Metrics"));

    AtomicInteger ran = new AtomicInteger();
    AtomicInteger crossings = new AtomicInteger();
    List<Future<?>> futures = new ArrayList<>();
    try (BoundedExecutorService pool =
        BoundedExecutors.builder("plain")
            .threads(2)
            .queueCapacity(10)
            .overflow(OverflowPolicy.callerRuns())
            .maxQueueWait(Duration.ofMinutes(1))
            .highWaterMark(0.5, (executor, above) -> crossings.incrementAndGet())
            .build()) {
      for (int i = 0; i < 100; i++) {
        futures.add(pool.submit(ran::incrementAndGet));
      }
      for (Future<?> future : futures) {
        future.get(20, TimeUnit.SECONDS);
      }
    }
    System.out.println("ran=" + ran.get());

    MemoryBudget budget = MemoryBudget.ofBytes(1024);
    try (MemoryBudget.Lease lease = budget.acquire(1000)) {
      System.out.println("leased=" + lease.bytes());
    }
    System.out.println("budgetAvailable=" + budget.availableBytes());

    AtomicInteger handled = new AtomicInteger();
    try (EventProcessor<Integer> events =
        EventProcessor.<Integer>builder("events", event -> handled.incrementAndGet())
            .threads(1)
            .queueCapacity(100)
            .build()) {
      for (int i = 0; i < 10; i++) {
        events.submit(i);
      }
    }
    System.out.println("eventsHandled=" + handled.get());
  }

  /**
   * Loads and initialises every class under {@code root} whose name does not contain {@code skip}.
   */
  private static int loadAllBut(Path root, String skip) throws IOException, ClassNotFoundException {
    List<String> names;
    try (Stream<Path> files = Files.walk(root)) {
      names =
          files
              .map(file -> root.relativize(file).toString())
              .filter(file -> file.endsWith(".class") && !file.contains(skip))
              .map(file -> file.substring(0, file.length() - ".class".length()).replace('/', '.'))
              .toList();
    }
    for (String name : names) {
      Class.forName(name, true, WithoutMicrometerWorkload.class.getClassLoader());
    }
    return names.size();
  }
}
