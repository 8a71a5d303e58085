package dev.oomguard.metrics.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CgroupMemoryTest {
  private static final long GIB = 1024L * 1024 * 1024;

  /**
   * What cgroup v1 writes for "no limit" on a 4 KiB-page machine: Long.MAX_VALUE rounded down to a
   * page.
   */
  private static final String V1_UNLIMITED = "9223372036854771712";

  @TempDir Path root;

  @Test
  void locate_onV2_joinsTheProcessPathToTheMountPoint() {
    new FakeLinux(root).cgroupV2("/kubepods.slice/pod1/app");

    CgroupMemory cgroup = CgroupMemory.locate(root).orElseThrow();

    assertThat(cgroup.version()).isEqualTo(2);
    assertThat(cgroup.directory()).isEqualTo(root.resolve("sys/fs/cgroup/kubepods.slice/pod1/app"));
  }

  @Test
  void limitBytes_onV2_isMemoryMax() {
    new FakeLinux(root).cgroupV2("/app").write("sys/fs/cgroup/app/memory.max", "1073741824\n");

    assertThat(CgroupMemory.locate(root).orElseThrow().limitBytes()).hasValue(GIB);
  }

  @Test
  void limitBytes_onV2WithMax_isEmpty() {
    new FakeLinux(root).cgroupV2("/app").write("sys/fs/cgroup/app/memory.max", "max\n");

    assertThat(CgroupMemory.locate(root).orElseThrow().limitBytes()).isEmpty();
  }

  @Test
  void limitBytes_onV2_isTheLeastOfTheCgroupAndItsAncestors() {
    new FakeLinux(root)
        .cgroupV2("/pod/app")
        .write("sys/fs/cgroup/memory.max", "max\n")
        .write("sys/fs/cgroup/pod/memory.max", "536870912\n")
        .write("sys/fs/cgroup/pod/app/memory.max", "max\n");

    assertThat(CgroupMemory.locate(root).orElseThrow().limitBytes()).hasValue(GIB / 2);
  }

  @Test
  void usageBytes_onV2_isMemoryCurrent() {
    new FakeLinux(root).cgroupV2("/app").write("sys/fs/cgroup/app/memory.current", "123456789\n");

    assertThat(CgroupMemory.locate(root).orElseThrow().usageBytes()).hasValue(123_456_789);
  }

  @Test
  void locate_onAHybridHost_takesTheV1MemoryController() {
    new FakeLinux(root).cgroupV1("/process_api/0a9b");

    CgroupMemory cgroup = CgroupMemory.locate(root).orElseThrow();

    assertThat(cgroup.version()).isEqualTo(1);
    assertThat(cgroup.directory()).isEqualTo(root.resolve("sys/fs/cgroup/memory/process_api/0a9b"));
    assertThat(cgroup.limitFile()).isEqualTo("memory.limit_in_bytes");
  }

  @Test
  void limitBytes_onV1_isLimitInBytes() {
    new FakeLinux(root)
        .cgroupV1("/app")
        .write("sys/fs/cgroup/memory/app/memory.limit_in_bytes", "1073741824\n");

    assertThat(CgroupMemory.locate(root).orElseThrow().limitBytes()).hasValue(GIB);
  }

  @Test
  void limitBytes_onV1WithItsUnlimitedNumber_isEmpty() {
    new FakeLinux(root)
        .cgroupV1("/app")
        .write("sys/fs/cgroup/memory/app/memory.limit_in_bytes", V1_UNLIMITED + "\n")
        .write(
            "sys/fs/cgroup/memory/app/memory.stat",
            "cache 0\nhierarchical_memory_limit " + V1_UNLIMITED + "\n");

    assertThat(CgroupMemory.locate(root).orElseThrow().limitBytes()).isEmpty();
  }

  @Test
  void limitBytes_onV1WithALowerLimitOnAParent_isTheHierarchicalLimit() {
    new FakeLinux(root)
        .cgroupV1("/app")
        .write("sys/fs/cgroup/memory/app/memory.limit_in_bytes", V1_UNLIMITED)
        .write(
            "sys/fs/cgroup/memory/app/memory.stat",
            "cache 4096\nrss 8192\nhierarchical_memory_limit 2147483648\n");

    assertThat(CgroupMemory.locate(root).orElseThrow().limitBytes()).hasValue(2 * GIB);
  }

  @Test
  void usageBytes_onV1_isUsageInBytes() {
    new FakeLinux(root)
        .cgroupV1("/app")
        .write("sys/fs/cgroup/memory/app/memory.usage_in_bytes", "161304576");

    assertThat(CgroupMemory.locate(root).orElseThrow().usageBytes()).hasValue(161_304_576);
  }

  @Test
  void limitBytes_withOddWhitespace_isRead() {
    new FakeLinux(root)
        .cgroupV2("/app")
        .write("sys/fs/cgroup/app/memory.max", "  \t1073741824 \n\n");

    assertThat(CgroupMemory.locate(root).orElseThrow().limitBytes()).hasValue(GIB);
  }

  @Test
  void limitBytes_whenTheFileIsAbsent_isEmpty() {
    new FakeLinux(root).cgroupV2("/app");

    CgroupMemory cgroup = CgroupMemory.locate(root).orElseThrow();

    assertThat(cgroup.limitBytes()).isEmpty();
    assertThat(cgroup.usageBytes()).isEmpty();
  }

  @Test
  void limitBytes_whenTheFileHoldsGarbage_isEmpty() {
    new FakeLinux(root).cgroupV2("/app").write("sys/fs/cgroup/app/memory.max", "lots\n");

    assertThat(CgroupMemory.locate(root).orElseThrow().limitBytes()).isEmpty();
  }

  @Test
  void locate_withoutProcFiles_isEmpty() {
    assertThat(CgroupMemory.locate(root)).isEmpty();
  }

  @Test
  void locate_withoutACgroupMount_isEmpty() {
    new FakeLinux(root)
        .write("proc/self/cgroup", "0::/app\n")
        .write("proc/self/mountinfo", "24 1 259:1 / / rw,relatime shared:1 - ext4 /dev/root rw\n");

    assertThat(CgroupMemory.locate(root)).isEmpty();
  }

  @Test
  void locate_whenTheMountRootIsTheProcessCgroup_usesTheMountPoint() {
    // A container with its own cgroup namespace off: the host path is both the mount root and the
    // process path.
    new FakeLinux(root)
        .write("proc/self/cgroup", "0::/docker/abc123\n")
        .write(
            "proc/self/mountinfo",
            "30 24 0:26 /docker/abc123 /sys/fs/cgroup ro,nosuid - cgroup2 cgroup2 rw\n")
        .write("sys/fs/cgroup/memory.max", "268435456\n");

    CgroupMemory cgroup = CgroupMemory.locate(root).orElseThrow();

    assertThat(cgroup.directory()).isEqualTo(root.resolve("sys/fs/cgroup"));
    assertThat(cgroup.limitBytes()).hasValue(GIB / 4);
  }

  @Test
  void locate_whenTheJoinedDirectoryDoesNotExist_fallsBackToTheMountPoint() {
    new FakeLinux(root)
        .write("proc/self/cgroup", "0::/host/path/not/visible\n")
        .write("proc/self/mountinfo", "30 24 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n")
        .write("sys/fs/cgroup/memory.max", "268435456\n");

    assertThat(CgroupMemory.locate(root).orElseThrow().directory())
        .isEqualTo(root.resolve("sys/fs/cgroup"));
  }

  @Test
  void locate_withAnEscapedSpaceInTheMountPoint_unescapesIt() {
    new FakeLinux(root)
        .write("proc/self/cgroup", "0::/app\n")
        .write(
            "proc/self/mountinfo", "30 24 0:26 / /sys/fs/my\\040cgroup rw - cgroup2 cgroup2 rw\n")
        .write("sys/fs/my cgroup/app/memory.max", "268435456\n");

    assertThat(CgroupMemory.locate(root).orElseThrow().limitBytes()).hasValue(GIB / 4);
  }
}
