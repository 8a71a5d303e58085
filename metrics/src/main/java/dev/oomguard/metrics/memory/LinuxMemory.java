package dev.oomguard.metrics.memory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * What Linux says about this process's memory: {@code /proc/self/status}, {@code /proc/meminfo} and
 * the process's memory cgroup. Every path is resolved under a root directory, so that the tests can
 * hand it a fake {@code /proc} and {@code /sys/fs/cgroup}; {@link #system()} reads the real ones. A
 * file that is absent or unreadable gives an empty value, never an exception.
 */
final class LinuxMemory {
  private final Path status;
  private final Path meminfo;
  private final @Nullable CgroupMemory cgroup;

  LinuxMemory(Path root) {
    Path proc = root.resolve("proc");
    this.status = proc.resolve("self/status");
    this.meminfo = proc.resolve("meminfo");
    this.cgroup = CgroupMemory.locate(root).orElse(null);
  }

  static LinuxMemory system() {
    return new LinuxMemory(Path.of("/"));
  }

  /** Whether {@code /proc/self/status} is there: false on every OS but Linux. */
  boolean isReadable() {
    return Files.isReadable(status);
  }

  /** Resident set size ({@code VmRSS}): heap, stacks, metaspace, code, native; all of it in RAM. */
  OptionalLong rssBytes() {
    return kbField(readLines(status), "VmRSS");
  }

  /** The highest resident set size so far ({@code VmHWM}). */
  OptionalLong rssPeakBytes() {
    return kbField(readLines(status), "VmHWM");
  }

  /** This process's memory swapped out ({@code VmSwap}). */
  OptionalLong swapBytes() {
    return kbField(readLines(status), "VmSwap");
  }

  /** The machine's RAM ({@code MemTotal}), the bound when no cgroup limit is set. */
  OptionalLong machineBytes() {
    return kbField(readLines(meminfo), "MemTotal");
  }

  Optional<CgroupMemory> cgroup() {
    return Optional.ofNullable(cgroup);
  }

  /** The cgroup limit if there is one below the machine's RAM; otherwise empty. */
  OptionalLong containerLimitBytes() {
    if (cgroup == null) {
      return OptionalLong.empty();
    }
    OptionalLong limit = cgroup.limitBytes();
    OptionalLong machine = machineBytes();
    if (limit.isPresent() && machine.isPresent() && limit.getAsLong() >= machine.getAsLong()) {
      return OptionalLong.empty(); // a limit above RAM never binds
    }
    return limit;
  }

  /** What RSS must stay under: the container limit where there is one, else the machine's RAM. */
  OptionalLong boundBytes() {
    OptionalLong limit = containerLimitBytes();
    return limit.isPresent() ? limit : machineBytes();
  }

  /**
   * The value of a {@code Key: 1234 kB} line, in bytes. Tolerates tabs, runs of spaces and a
   * missing unit (then the number is bytes); empty if the key is absent or the number is not one.
   */
  static OptionalLong kbField(List<String> lines, String key) {
    for (String line : lines) {
      int colon = line.indexOf(':');
      if (colon < 0 || !line.substring(0, colon).trim().equals(key)) {
        continue;
      }
      String[] parts = line.substring(colon + 1).trim().split("\\s+", -1);
      try {
        long number = Long.parseLong(parts[0]);
        boolean kib = parts.length > 1 && parts[1].equalsIgnoreCase("kB");
        return OptionalLong.of(kib ? number * Bytes.KIB : number);
      } catch (NumberFormatException e) {
        return OptionalLong.empty();
      }
    }
    return OptionalLong.empty();
  }

  /** The file's lines, or none if it is absent or unreadable (it may vanish between scrapes). */
  static List<String> readLines(Path file) {
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException | SecurityException e) {
      return List.of();
    }
  }
}
