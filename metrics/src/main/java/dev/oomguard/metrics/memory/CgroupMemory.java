package dev.oomguard.metrics.memory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * The memory cgroup this process belongs to, version 1 or 2, found the way the JDK finds it: the
 * process's cgroup path from {@code /proc/self/cgroup}, joined to where that hierarchy is mounted
 * according to {@code /proc/self/mountinfo}. When v1's memory controller is mounted it wins (a
 * hybrid host keeps memory on v1). When the joined directory does not exist, as in a container that
 * sees the host's cgroup path but has its own cgroup mounted at the mount point, the mount point
 * itself is used.
 */
final class CgroupMemory {
  /** v1 writes "no limit" as a page-rounded {@code Long.MAX_VALUE}; anything this large is none. */
  static final long UNLIMITED_AT_LEAST = 1L << 62;

  private final int version;
  private final Path directory;
  private final Path mountPoint;

  CgroupMemory(int version, Path directory, Path mountPoint) {
    this.version = version;
    this.directory = directory;
    this.mountPoint = mountPoint;
  }

  /** Finds this process's memory cgroup under {@code root}; empty if there is none to read. */
  static Optional<CgroupMemory> locate(Path root) {
    List<String> membership = LinuxMemory.readLines(root.resolve("proc/self/cgroup"));
    List<String> mounts = LinuxMemory.readLines(root.resolve("proc/self/mountinfo"));
    Optional<CgroupMemory> v1 = locate(root, membership, mounts, 1);
    return v1.isPresent() ? v1 : locate(root, membership, mounts, 2);
  }

  private static Optional<CgroupMemory> locate(
      Path root, List<String> membership, List<String> mounts, int version) {
    @Nullable String cgroupPath = null;
    for (String line : membership) {
      String[] fields = line.split(":", 3);
      if (fields.length < 3) {
        continue;
      }
      boolean matches =
          version == 1
              ? Arrays.asList(fields[1].split(",")).contains("memory")
              : fields[0].equals("0") && fields[1].isEmpty();
      if (matches) {
        cgroupPath = fields[2].trim();
        break;
      }
    }
    if (cgroupPath == null) {
      return Optional.empty();
    }
    for (String line : mounts) {
      Mount mount = Mount.parse(line);
      if (mount == null || !mount.isMemoryCgroup(version)) {
        continue;
      }
      Path mountPoint = root.resolve(mount.mountPoint.substring(1));
      String relative = cgroupPath;
      if (!mount.root.equals("/") && cgroupPath.startsWith(mount.root)) {
        relative = cgroupPath.substring(mount.root.length());
      }
      Path directory =
          relative.equals("/") || relative.isEmpty()
              ? mountPoint
              : mountPoint.resolve(relative.substring(relative.startsWith("/") ? 1 : 0));
      if (!Files.isDirectory(directory)) {
        directory = mountPoint;
      }
      return Optional.of(new CgroupMemory(version, directory, mountPoint));
    }
    return Optional.empty();
  }

  int version() {
    return version;
  }

  Path directory() {
    return directory;
  }

  /**
   * The file that holds the limit, for reports: {@code memory.max} or {@code
   * memory.limit_in_bytes}.
   */
  String limitFile() {
    return version == 2 ? "memory.max" : "memory.limit_in_bytes";
  }

  /**
   * The tightest limit on this cgroup: on v2 the least {@code memory.max} of it and its ancestors
   * up to the mount point, on v1 {@code memory.limit_in_bytes} or the hierarchical limit from
   * {@code memory.stat}, whichever is less. Empty when there is no limit ("max", v1's huge number)
   * or nothing could be read.
   */
  OptionalLong limitBytes() {
    List<Long> limits = new ArrayList<>();
    if (version == 2) {
      for (Path dir = directory; dir != null && dir.startsWith(mountPoint); dir = dir.getParent()) {
        limit(dir.resolve("memory.max")).ifPresent(limits::add);
      }
    } else {
      limit(directory.resolve("memory.limit_in_bytes")).ifPresent(limits::add);
      OptionalLong hierarchical =
          statField(directory.resolve("memory.stat"), "hierarchical_memory_limit");
      if (hierarchical.isPresent() && hierarchical.getAsLong() < UNLIMITED_AT_LEAST) {
        limits.add(hierarchical.getAsLong());
      }
    }
    return limits.stream().mapToLong(Long::longValue).min();
  }

  /**
   * Memory charged to the cgroup ({@code memory.current} or {@code memory.usage_in_bytes}), page
   * cache included.
   */
  OptionalLong usageBytes() {
    return number(directory.resolve(version == 2 ? "memory.current" : "memory.usage_in_bytes"));
  }

  /** A {@code key value} line of v1's {@code memory.stat}. */
  private static OptionalLong statField(Path file, String key) {
    for (String line : LinuxMemory.readLines(file)) {
      String[] fields = line.trim().split("\\s+", -1);
      if (fields.length == 2 && fields[0].equals(key)) {
        try {
          return OptionalLong.of(Long.parseLong(fields[1]));
        } catch (NumberFormatException e) {
          return OptionalLong.empty();
        }
      }
    }
    return OptionalLong.empty();
  }

  private static Optional<Long> limit(Path file) {
    OptionalLong value = number(file);
    return value.isPresent() && value.getAsLong() < UNLIMITED_AT_LEAST
        ? Optional.of(value.getAsLong())
        : Optional.empty();
  }

  /** A file holding one number; "max" and anything unreadable are empty. */
  static OptionalLong number(Path file) {
    List<String> lines = LinuxMemory.readLines(file);
    if (lines.isEmpty()) {
      return OptionalLong.empty();
    }
    String text = lines.get(0).trim();
    if (text.equals("max")) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(text));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  @Override
  public String toString() {
    return "cgroup v" + version + " " + directory;
  }

  /**
   * One line of {@code /proc/self/mountinfo}: what is mounted, from where in its hierarchy, and
   * where.
   */
  private static final class Mount {
    final String root;
    final String mountPoint;
    final String fsType;
    final List<String> superOptions;

    private Mount(String root, String mountPoint, String fsType, List<String> superOptions) {
      this.root = root;
      this.mountPoint = mountPoint;
      this.fsType = fsType;
      this.superOptions = superOptions;
    }

    /**
     * {@code id parent major:minor root mount-point options [optional...] - fstype source
     * super-options}.
     */
    static @Nullable Mount parse(String line) {
      String[] fields = line.trim().split("\\s+");
      int separator = Arrays.asList(fields).indexOf("-");
      if (fields.length < 5 || separator < 0 || fields.length < separator + 2) {
        return null;
      }
      List<String> superOptions =
          fields.length > separator + 3
              ? Arrays.asList(fields[separator + 3].split(","))
              : List.of();
      return new Mount(
          unescape(fields[3]), unescape(fields[4]), fields[separator + 1], superOptions);
    }

    boolean isMemoryCgroup(int version) {
      return version == 1
          ? fsType.equals("cgroup") && superOptions.contains("memory")
          : fsType.equals("cgroup2");
    }

    /** mountinfo writes a space as {@code \040}, and so on for tab, newline and backslash. */
    private static String unescape(String field) {
      StringBuilder out = new StringBuilder(field.length());
      for (int i = 0; i < field.length(); i++) {
        char c = field.charAt(i);
        if (c == '\\'
            && i + 3 < field.length()
            && field.substring(i + 1, i + 4).matches("[0-7]{3}")) {
          out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
          i += 3;
        } else {
          out.append(c);
        }
      }
      return out.toString();
    }
  }
}
