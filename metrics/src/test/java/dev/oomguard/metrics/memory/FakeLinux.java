package dev.oomguard.metrics.memory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** A fake root with {@code /proc} and {@code /sys/fs/cgroup} files, for the readers to find. */
final class FakeLinux {
  /**
   * A real JDK 17 process's {@code /proc/self/status}, trimmed, with its tabs and padded numbers.
   */
  static final String STATUS =
      """
      Name:\tjava
      Umask:\t0022
      State:\tS (sleeping)
      Pid:\t4242
      VmPeak:\t 8021556 kB
      VmSize:\t 7984040 kB
      VmLck:\t       0 kB
      VmHWM:\t  412344 kB
      VmRSS:\t  307200 kB
      RssAnon:\t  290000 kB
      VmData:\t  601212 kB
      VmSwap:\t    2048 kB
      Threads:\t31
      """;

  static final String MEMINFO =
      """
      MemTotal:        2097152 kB
      MemFree:          524288 kB
      MemAvailable:    1048576 kB
      """;

  final Path root;

  FakeLinux(Path root) {
    this.root = root;
  }

  FakeLinux status(String content) {
    return write("proc/self/status", content);
  }

  FakeLinux meminfo(String content) {
    return write("proc/meminfo", content);
  }

  /**
   * A process on a cgroup v2 host: {@code 0::path}, the unified hierarchy mounted at
   * /sys/fs/cgroup.
   */
  FakeLinux cgroupV2(String path) {
    write("proc/self/cgroup", "0::" + path + "\n");
    write(
        "proc/self/mountinfo",
        """
        24 1 259:1 / / rw,relatime shared:1 - ext4 /dev/root rw
        30 24 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate
        """);
    return dir("sys/fs/cgroup" + path);
  }

  /**
   * A process on a hybrid host, as on the machine these tests were written on: v1 controllers,
   * memory among them, and a v2 hierarchy holding no controller.
   */
  FakeLinux cgroupV1(String path) {
    write(
        "proc/self/cgroup",
        "9:name=systemd:/\n8:pids:/\n4:memory:" + path + "\n1:cpu,cpuacct:/\n0::/\n");
    write(
        "proc/self/mountinfo",
        """
        31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
        32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
        35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
        41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
        """);
    return dir("sys/fs/cgroup/memory" + path);
  }

  FakeLinux write(String relative, String content) {
    try {
      Path file = root.resolve(relative);
      Files.createDirectories(file.getParent());
      Files.writeString(file, content, StandardCharsets.UTF_8);
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  FakeLinux delete(String relative) {
    try {
      Files.delete(root.resolve(relative));
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  FakeLinux dir(String relative) {
    try {
      Files.createDirectories(root.resolve(relative));
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  LinuxMemory memory() {
    return new LinuxMemory(root);
  }
}
