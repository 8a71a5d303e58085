package dev.oomguard.metrics.memory;

/**
 * Run in a forked JVM by {@link MemorySizingForkTest}: inspects that JVM against the limit and
 * thread count given as arguments and prints the report's numbers as {@code key=value}.
 */
final class SizingProbe {
  private SizingProbe() {}

  public static void main(String[] args) {
    MemorySizing.Report report =
        MemorySizing.builder()
            .memoryLimit(Bytes.parseSize(args[0]))
            .expectedThreads(Integer.parseInt(args[1]))
            .inspect();
    System.out.println("verdict=" + report.verdict());
    System.out.println("maxHeap=" + report.maxHeapBytes());
    System.out.println("nonHeap=" + report.nonHeapBytes());
    for (MemorySizing.Item item : report.nonHeap()) {
      System.out.println(item.name() + "=" + item.bytes());
    }
    System.out.println(report);
  }
}
