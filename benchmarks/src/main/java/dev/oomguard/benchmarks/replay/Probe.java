package dev.oomguard.benchmarks.replay;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;

/** What a workload reads about its own JVM, and how it reports it: one {@code key=value} a line. */
final class Probe {
  private static final long KIB = 1024;

  private Probe() {}

  static void print(String key, Object value) {
    System.out.println(key + "=" + value);
    System.out.flush();
  }

  /** VmRSS of this process, in KiB. */
  static long rssKb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new IllegalStateException("no VmRSS in /proc/self/status");
  }

  static long gcCount() {
    long count = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      count += Math.max(0, gc.getCollectionCount());
    }
    return count;
  }

  /**
   * The old generation's peak occupancy, in KiB. It includes garbage promoted between full GCs, so
   * it is a picture of the heap's pressure, not a bound on what was live.
   */
  static long peakOldGenKb() {
    long peak = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP && pool.getName().matches(".*(Old|Tenured).*")) {
        peak = Math.max(peak, pool.getPeakUsage().getUsed() / KIB);
      }
    }
    return peak;
  }
}
