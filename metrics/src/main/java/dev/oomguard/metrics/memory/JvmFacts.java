package dev.oomguard.metrics.memory;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.util.List;
import java.util.OptionalLong;
import javax.management.JMException;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;

/**
 * What {@link MemorySizing} needs to know about a JVM: its memory flags and what it uses now. The
 * flags come from the {@code HotSpotDiagnostic} MBean by name, so no {@code com.sun.management}
 * class is needed; a flag it cannot read falls back to HotSpot's default on 64-bit Linux.
 *
 * @param maxHeap {@code MaxHeapSize}
 * @param maxMetaspace {@code MaxMetaspaceSize}, empty when unbounded (the default)
 * @param metaspaceCommitted the metaspace committed now
 * @param loadedClasses classes loaded now
 * @param compressedClassSpace {@code CompressedClassSpaceSize}: reserved, part of metaspace when
 *     used
 * @param codeCache {@code ReservedCodeCacheSize}
 * @param threads the threads to count: the peak so far, or more if the caller expects more
 * @param stackSize {@code ThreadStackSize} ({@code -Xss}) in bytes
 * @param maxDirect {@code MaxDirectMemorySize}, empty when unset (then the JDK allows max heap)
 * @param directUsed direct buffers allocated now
 * @param gc the collector: {@code G1}, {@code Parallel}, {@code Serial} or another's name
 */
record JvmFacts(
    long maxHeap,
    OptionalLong maxMetaspace,
    long metaspaceCommitted,
    long loadedClasses,
    long compressedClassSpace,
    long codeCache,
    int threads,
    long stackSize,
    OptionalLong maxDirect,
    long directUsed,
    String gc) {

  static final long DEFAULT_CODE_CACHE = 240 * Bytes.MIB;
  static final long DEFAULT_STACK_SIZE = Bytes.MIB;

  /** This JVM, counting at least {@code expectedThreads} threads. */
  static JvmFacts current(int expectedThreads) {
    long maxHeap = flag("MaxHeapSize").orElse(Runtime.getRuntime().maxMemory());
    OptionalLong maxMetaspace = bounded(flag("MaxMetaspaceSize"));
    long metaspaceCommitted = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getName().equals("Metaspace")) {
        metaspaceCommitted = pool.getUsage().getCommitted();
      }
    }
    long stackKib = flag("ThreadStackSize").orElse(0);
    long directUsed = 0;
    for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
      if (pool.getName().equals("direct")) {
        directUsed = pool.getMemoryUsed();
      }
    }
    return new JvmFacts(
        maxHeap,
        maxMetaspace,
        metaspaceCommitted,
        ManagementFactory.getClassLoadingMXBean().getLoadedClassCount(),
        flag("CompressedClassSpaceSize").orElse(0),
        flag("ReservedCodeCacheSize").orElse(DEFAULT_CODE_CACHE),
        Math.max(expectedThreads, ManagementFactory.getThreadMXBean().getPeakThreadCount()),
        stackKib > 0 ? stackKib * Bytes.KIB : DEFAULT_STACK_SIZE,
        bounded(flag("MaxDirectMemorySize")),
        directUsed,
        collector(ManagementFactory.getGarbageCollectorMXBeans()));
  }

  static String collector(List<GarbageCollectorMXBean> collectors) {
    for (GarbageCollectorMXBean collector : collectors) {
      String name = collector.getName();
      if (name.startsWith("G1")) {
        return "G1";
      }
      if (name.startsWith("PS ")) {
        return "Parallel";
      }
      if (name.equals("Copy") || name.equals("MarkSweepCompact")) {
        return "Serial";
      }
    }
    return collectors.isEmpty() ? "unknown" : collectors.get(0).getName();
  }

  /** A size flag; unset (0) and unbounded (-1, 2^64 - 1) are empty. */
  private static OptionalLong bounded(OptionalLong flag) {
    return flag.isPresent()
            && flag.getAsLong() > 0
            && flag.getAsLong() < CgroupMemory.UNLIMITED_AT_LEAST
        ? flag
        : OptionalLong.empty();
  }

  /**
   * A numeric VM flag through {@code HotSpotDiagnostic.getVMOption}; empty if it cannot be read.
   */
  static OptionalLong flag(String name) {
    try {
      Object option =
          ManagementFactory.getPlatformMBeanServer()
              .invoke(
                  new ObjectName("com.sun.management:type=HotSpotDiagnostic"),
                  "getVMOption",
                  new Object[] {name},
                  new String[] {String.class.getName()});
      String value = String.valueOf(((CompositeData) option).get("value"));
      try {
        return OptionalLong.of(Long.parseLong(value));
      } catch (NumberFormatException tooLargeForALong) {
        return OptionalLong.of(-1); // only "unbounded" values exceed a long
      }
    } catch (JMException | RuntimeException e) {
      return OptionalLong.empty();
    }
  }
}
