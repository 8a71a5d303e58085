package dev.oomguard.metrics.memory;

import java.lang.System.Logger.Level;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import javax.management.JMException;
import javax.management.ObjectName;
import org.jspecify.annotations.Nullable;

/**
 * Does this JVM fit its memory limit? Max heap plus an estimate of everything else the process
 * holds (metaspace, code cache, thread stacks, direct buffers, GC structures, the JVM's own native
 * memory), against the container's limit or the machine's RAM, with a verdict and advice in MiB.
 * Incident 2: raising {@code -Xmx} to 256 MiB on a 1 GB machine got the process killed, because the
 * rest no longer fitted beside the heap.
 *
 * <pre>{@code
 * MemorySizing.logAtStartup();   // one line at INFO when it fits, the whole report at WARNING when not
 * MemorySizing.Report report = MemorySizing.builder().expectedThreads(200).inspect();
 * }</pre>
 *
 * <p>From a shell, with the flags of the service to check (the report is about the JVM it runs in):
 *
 * <pre>{@code
 * java -Xmx256m -Xss1m -Doomguard.memory.limit=1g -cp oomguard-metrics.jar dev.oomguard.metrics.memory.MemorySizing
 * }</pre>
 *
 * It needs nothing but the JDK on the class path.
 *
 * <p>How the non-heap is counted: what the flags bound is counted in full ({@code
 * -XX:MaxMetaspaceSize}, {@code -XX:ReservedCodeCacheSize}, {@code -XX:MaxDirectMemorySize},
 * threads × {@code -Xss}), because the process may use all of it. What they do not bound is
 * estimated: metaspace from the classes loaded so far (5,800 bytes a class plus 14 MiB, the rule
 * the Cloud Foundry memory calculator uses), direct buffers as what is allocated now but at least
 * 10 MiB, GC structures from the collector and max heap (measured with NMT on JDK 17: G1 about 36
 * MiB + 4%, Parallel 10 MiB + 4%, Serial 1 MiB + 0.5%), and the JVM's other native memory (symbols,
 * the CDS archive, JIT compiler arenas) as 48 MiB. Native memory that libraries allocate with
 * {@code malloc} is not counted; that is what the headroom is for.
 *
 * <p>Limits: the estimate is only as good as the moment: at start-up few classes are loaded and few
 * threads run, so pass {@link Builder#expectedThreads} and check again once the application is up.
 * The verdict is about the worst case the flags allow, not about what is resident now; for that see
 * {@link ProcessMemoryMetrics}.
 */
public final class MemorySizing {
  /** The share of the limit left free for the OS, the page cache and native bursts: 10%. */
  public static final double DEFAULT_MIN_HEADROOM = 0.10;

  /**
   * A system property that sets the memory limit ({@code 1073741824}, {@code 1024m}, {@code 1g}),
   * over the container's or the machine's: for where the limit cannot be read, and for tests.
   */
  public static final String LIMIT_PROPERTY = "oomguard.memory.limit";

  static final long METASPACE_PER_CLASS = 5_800;
  static final long METASPACE_BASE = 14 * Bytes.MIB;
  static final long DIRECT_AT_LEAST = 10 * Bytes.MIB;
  static final long OTHER_NATIVE = 48 * Bytes.MIB;

  private static final System.Logger LOG = System.getLogger(MemorySizing.class.getName());

  private MemorySizing() {}

  /** This JVM against its limit, with the defaults. */
  public static Report inspect() {
    return builder().inspect();
  }

  /** Inspects this JVM and logs the report: at INFO when it fits, at WARNING when it does not. */
  public static Report logAtStartup() {
    Report report = inspect();
    report.log();
    return report;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Prints the report on this JVM; see the class comment for the command. */
  public static void main(String[] args) {
    if (args.length > 0) {
      System.err.println(
          "usage: java [-Xmx...] [-D"
              + LIMIT_PROPERTY
              + "=1g] -cp <jar> "
              + MemorySizing.class.getName());
      System.exit(2);
    }
    System.out.println(inspect());
  }

  /** How the heap and the rest fit the limit. */
  public enum Verdict {
    /** At least the minimum headroom is left. */
    FITS,
    /** It fits, but with less than the minimum headroom left. */
    TIGHT,
    /** Max heap plus non-heap exceeds the limit: the OOM killer can end the process. */
    DOES_NOT_FIT,
    /** No limit could be found: neither set, nor a container's, nor the machine's. */
    UNKNOWN
  }

  /** One part of the non-heap estimate: what it is, its size, and where the number comes from. */
  public record Item(String name, long bytes, String basis) {}

  /** Options for {@link #inspect()}; each has a default. */
  public static final class Builder {
    private long memoryLimit = -1;
    private int expectedThreads;
    private double minHeadroom = DEFAULT_MIN_HEADROOM;

    private Builder() {}

    /**
     * The limit to check against, instead of {@link #LIMIT_PROPERTY}, the container's limit or the
     * machine's RAM.
     *
     * @throws IllegalArgumentException if {@code bytes} is not positive
     */
    public Builder memoryLimit(long bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("memoryLimit must be positive, was " + bytes);
      }
      this.memoryLimit = bytes;
      return this;
    }

    /**
     * The threads the application will run at its busiest; the count is at least the peak so far.
     * Default: the peak so far.
     *
     * @throws IllegalArgumentException if {@code threads} is negative
     */
    public Builder expectedThreads(int threads) {
      if (threads < 0) {
        throw new IllegalArgumentException("expectedThreads must not be negative, was " + threads);
      }
      this.expectedThreads = threads;
      return this;
    }

    /**
     * The share of the limit that must stay free for the verdict to be {@link Verdict#FITS};
     * default {@link #DEFAULT_MIN_HEADROOM}.
     *
     * @throws IllegalArgumentException if {@code fraction} is not in [0, 1)
     */
    public Builder minHeadroom(double fraction) {
      if (!(fraction >= 0 && fraction < 1)) {
        throw new IllegalArgumentException("minHeadroom must be in [0, 1), was " + fraction);
      }
      this.minHeadroom = fraction;
      return this;
    }

    /**
     * Inspects this JVM.
     *
     * @throws IllegalArgumentException if {@link #LIMIT_PROPERTY} is set but is not a size
     */
    public Report inspect() {
      JvmFacts facts = JvmFacts.current(expectedThreads);
      if (memoryLimit > 0) {
        return report(facts, OptionalLong.of(memoryLimit), "as given", minHeadroom);
      }
      String property = System.getProperty(LIMIT_PROPERTY);
      if (property != null) {
        long limit;
        try {
          limit = Bytes.parseSize(property);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(LIMIT_PROPERTY + ": " + e.getMessage(), e);
        }
        return report(facts, OptionalLong.of(limit), "-D" + LIMIT_PROPERTY, minHeadroom);
      }
      LinuxMemory linux = LinuxMemory.system();
      OptionalLong container = linux.containerLimitBytes();
      if (container.isPresent()) {
        CgroupMemory cgroup = linux.cgroup().orElseThrow();
        return report(facts, container, "container " + cgroup.limitFile(), minHeadroom);
      }
      OptionalLong machine = linux.machineBytes();
      if (machine.isEmpty()) {
        machine = physicalMemory();
      }
      return report(facts, machine, "machine memory", minHeadroom);
    }
  }

  /** The verdict for {@code facts} against {@code limit}: everything but the reading is here. */
  static Report report(JvmFacts facts, OptionalLong limit, String limitSource, double minHeadroom) {
    List<Item> items = new ArrayList<>();
    if (facts.maxMetaspace().isPresent()) {
      items.add(new Item("metaspace", facts.maxMetaspace().getAsLong(), "-XX:MaxMetaspaceSize"));
    } else {
      long estimate =
          Math.max(
              facts.metaspaceCommitted(),
              facts.loadedClasses() * METASPACE_PER_CLASS + METASPACE_BASE);
      items.add(
          new Item(
              "metaspace",
              estimate,
              "unbounded; estimate for "
                  + facts.loadedClasses()
                  + " classes loaded, set -XX:MaxMetaspaceSize to bound it"));
    }
    items.add(new Item("code cache", facts.codeCache(), "-XX:ReservedCodeCacheSize"));
    items.add(
        new Item(
            "thread stacks",
            facts.threads() * facts.stackSize(),
            facts.threads() + " threads × " + facts.stackSize() / Bytes.KIB + " KiB -Xss"));
    if (facts.maxDirect().isPresent()) {
      items.add(
          new Item("direct buffers", facts.maxDirect().getAsLong(), "-XX:MaxDirectMemorySize"));
    } else {
      items.add(
          new Item(
              "direct buffers",
              Math.max(facts.directUsed(), DIRECT_AT_LEAST),
              "in use now, at least "
                  + Bytes.mib(DIRECT_AT_LEAST)
                  + "; unset, so it may grow to max heap: set"
                  + " -XX:MaxDirectMemorySize to bound it"));
    }
    items.add(
        new Item(
            "GC structures",
            gcBytes(facts.gc(), facts.maxHeap()),
            "estimate for " + facts.gc() + " and max heap"));
    items.add(
        new Item("other JVM native", OTHER_NATIVE, "estimate: symbols, CDS archive, JIT compiler"));

    long nonHeap = items.stream().mapToLong(Item::bytes).sum();
    Verdict verdict;
    if (limit.isEmpty()) {
      verdict = Verdict.UNKNOWN;
    } else {
      long headroom = limit.getAsLong() - facts.maxHeap() - nonHeap;
      verdict =
          headroom < 0
              ? Verdict.DOES_NOT_FIT
              : headroom < minHeadroom * limit.getAsLong() ? Verdict.TIGHT : Verdict.FITS;
    }
    return new Report(
        verdict,
        facts.maxHeap(),
        items,
        nonHeap,
        limit,
        limitSource,
        minHeadroom,
        facts.compressedClassSpace());
  }

  static long gcBytes(String gc, long maxHeap) {
    return switch (gc) {
      case "Serial" -> Bytes.MIB + maxHeap / 200;
      case "Parallel" -> 10 * Bytes.MIB + maxHeap / 25;
      default -> 36 * Bytes.MIB + maxHeap / 25; // G1, and as much for ZGC, Shenandoah and others
    };
  }

  /**
   * The OS MBean's {@code TotalPhysicalMemorySize}, read by name (no {@code com.sun.management}).
   */
  private static OptionalLong physicalMemory() {
    try {
      Object total =
          ManagementFactory.getPlatformMBeanServer()
              .getAttribute(
                  new ObjectName("java.lang:type=OperatingSystem"), "TotalPhysicalMemorySize");
      return total instanceof Long bytes && bytes > 0
          ? OptionalLong.of(bytes)
          : OptionalLong.empty();
    } catch (JMException | RuntimeException e) {
      return OptionalLong.empty();
    }
  }

  /** The outcome: the verdict, the numbers behind it and advice in MiB. Immutable. */
  public static final class Report {
    private final Verdict verdict;
    private final long maxHeapBytes;
    private final List<Item> nonHeap;
    private final long nonHeapBytes;
    private final OptionalLong limitBytes;
    private final String limitSource;
    private final double minHeadroom;
    private final long compressedClassSpaceBytes;

    Report(
        Verdict verdict,
        long maxHeapBytes,
        List<Item> nonHeap,
        long nonHeapBytes,
        OptionalLong limitBytes,
        String limitSource,
        double minHeadroom,
        long compressedClassSpaceBytes) {
      this.verdict = verdict;
      this.maxHeapBytes = maxHeapBytes;
      this.nonHeap = List.copyOf(nonHeap);
      this.nonHeapBytes = nonHeapBytes;
      this.limitBytes = limitBytes;
      this.limitSource = limitSource;
      this.minHeadroom = minHeadroom;
      this.compressedClassSpaceBytes = compressedClassSpaceBytes;
    }

    public Verdict verdict() {
      return verdict;
    }

    /** {@code -Xmx}. */
    public long maxHeapBytes() {
      return maxHeapBytes;
    }

    /** The non-heap estimate: the sum of {@link #nonHeap()}. */
    public long nonHeapBytes() {
      return nonHeapBytes;
    }

    /** The parts of the non-heap estimate, each with where its number comes from. */
    public List<Item> nonHeap() {
      return nonHeap;
    }

    /** The limit checked against; empty when none could be found. */
    public OptionalLong limitBytes() {
      return limitBytes;
    }

    /**
     * Where the limit came from: a container's limit file, machine memory, the property or as
     * given.
     */
    public String limitSource() {
      return limitSource;
    }

    /**
     * The limit minus max heap and non-heap; negative when it does not fit, 0 when the limit is
     * unknown.
     */
    public long headroomBytes() {
      return limitBytes.isPresent() ? limitBytes.getAsLong() - maxHeapBytes - nonHeapBytes : 0;
    }

    /**
     * The largest {@code -Xmx} that leaves the minimum headroom; 0 or less when the non-heap alone
     * is too much.
     */
    public long maxHeapToFitBytes() {
      return limitBytes.isPresent()
          ? (long) (limitBytes.getAsLong() * (1 - minHeadroom)) - nonHeapBytes
          : 0;
    }

    /** The least limit that leaves the minimum headroom for this heap and non-heap. */
    public long limitToFitBytes() {
      return (long) Math.ceil((maxHeapBytes + nonHeapBytes) / (1 - minHeadroom));
    }

    /**
     * One sentence with the numbers, for example "max heap 256 MiB + non-heap ~310 MiB = 566 MiB
     * leaves 22 MiB (4%) of the 588 MiB limit (container memory.max), under the 10% to keep free:
     * lower -Xmx to 219 MiB or raise the limit to 629 MiB".
     */
    public String advice() {
      String sum =
          "max heap "
              + Bytes.mib(maxHeapBytes)
              + " + non-heap ~"
              + Bytes.mib(nonHeapBytes)
              + " = "
              + Bytes.mib(maxHeapBytes + nonHeapBytes);
      if (limitBytes.isEmpty()) {
        return sum + "; no memory limit found to check it against (set -D" + LIMIT_PROPERTY + ")";
      }
      long limit = limitBytes.getAsLong();
      String of = " the " + Bytes.mib(limit) + " limit (" + limitSource + ")";
      String keep = percent(minHeadroom);
      return switch (verdict) {
        case FITS ->
            sum
                + " leaves "
                + Bytes.mib(headroomBytes())
                + " ("
                + percent((double) headroomBytes() / limit)
                + ") of"
                + of
                + ": it fits";
        case TIGHT ->
            sum
                + " leaves "
                + Bytes.mib(headroomBytes())
                + " ("
                + percent((double) headroomBytes() / limit)
                + ") of"
                + of
                + ", under the "
                + keep
                + " to keep free: "
                + remedy();
        default ->
            sum
                + " is "
                + Bytes.mib(-headroomBytes())
                + " over"
                + of
                + ": the OOM killer can end the process before the heap is full; "
                + remedy();
      };
    }

    private String remedy() {
      Item largest = nonHeap.stream().max(Comparator.comparingLong(Item::bytes)).orElseThrow();
      String shrink =
          "; the largest non-heap part is "
              + largest.name()
              + ", "
              + Bytes.mib(largest.bytes())
              + " ("
              + largest.basis()
              + ")";
      if (maxHeapToFitBytes() <= 0) {
        return "the non-heap alone leaves no room for a heap: bound it or raise the limit to "
            + Bytes.mib(limitToFitBytes())
            + shrink;
      }
      return "lower -Xmx to "
          + Bytes.mib(maxHeapToFitBytes())
          + " or raise the limit to "
          + Bytes.mib(limitToFitBytes())
          + shrink;
    }

    /**
     * Logs the report: the whole of it at WARNING unless it fits, one line at INFO when it does.
     */
    public void log() {
      if (verdict == Verdict.TIGHT || verdict == Verdict.DOES_NOT_FIT) {
        LOG.log(Level.WARNING, toString());
      } else {
        LOG.log(Level.INFO, "memory sizing: " + verdictText() + ": " + advice());
      }
    }

    private String verdictText() {
      return verdict.name().replace('_', ' ').toLowerCase(Locale.ROOT);
    }

    /** The verdict, the advice and the non-heap estimate item by item, on several lines. */
    @Override
    public String toString() {
      StringBuilder text =
          new StringBuilder()
              .append("memory sizing: ")
              .append(verdictText())
              .append('\n')
              .append("  ")
              .append(advice())
              .append('\n')
              .append(
                  String.format(
                      Locale.ROOT,
                      "  %-18s %9s  %s%n",
                      "max heap",
                      Bytes.mib(maxHeapBytes),
                      "-Xmx"));
      for (Item item : nonHeap) {
        text.append(
            String.format(
                Locale.ROOT,
                "  %-18s %9s  %s%n",
                item.name(),
                Bytes.mib(item.bytes()),
                item.basis()));
      }
      if (compressedClassSpaceBytes > 0) {
        text.append("  (compressed class space: ")
            .append(Bytes.mib(compressedClassSpaceBytes))
            .append(
                " reserved address space, resident only as used and counted within metaspace)\n");
      }
      return text.toString();
    }

    private static String percent(double fraction) {
      return Math.round(fraction * 100) + "%";
    }

    @Nullable Item item(String name) {
      return nonHeap.stream().filter(item -> item.name().equals(name)).findFirst().orElse(null);
    }
  }
}
