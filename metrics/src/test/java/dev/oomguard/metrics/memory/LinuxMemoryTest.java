package dev.oomguard.metrics.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LinuxMemoryTest {
  private static final long MIB = 1024 * 1024;

  @TempDir Path root;

  @Test
  void rssBytes_fromRealStatusFormat_isVmRssInBytes() {
    LinuxMemory memory = new FakeLinux(root).status(FakeLinux.STATUS).memory();

    assertThat(memory.rssBytes()).hasValue(300 * MIB);
  }

  @Test
  void rssPeakBytes_isVmHwmInBytes() {
    LinuxMemory memory = new FakeLinux(root).status(FakeLinux.STATUS).memory();

    assertThat(memory.rssPeakBytes()).hasValue(412_344 * 1024L);
  }

  @Test
  void swapBytes_isVmSwapInBytes() {
    LinuxMemory memory = new FakeLinux(root).status(FakeLinux.STATUS).memory();

    assertThat(memory.swapBytes()).hasValue(2 * MIB);
  }

  @Test
  void swapBytes_whenTheKernelHasNoSwapLine_isEmpty() {
    LinuxMemory memory = new FakeLinux(root).status("VmRSS:\t 1024 kB\n").memory();

    assertThat(memory.swapBytes()).isEmpty();
    assertThat(memory.rssBytes()).hasValue(MIB);
  }

  @Test
  void kbField_withSpacesAroundTheKeyAndRunsOfWhitespace_isRead() {
    assertThat(LinuxMemory.kbField(List.of("  VmRSS :   \t 2048   kB  "), "VmRSS"))
        .hasValue(2 * MIB);
  }

  @Test
  void kbField_withoutUnit_isBytes() {
    assertThat(LinuxMemory.kbField(List.of("VmRSS: 4096"), "VmRSS")).hasValue(4096);
  }

  @Test
  void kbField_whoseKeyOnlyStartsTheSame_isNotConfused() {
    assertThat(LinuxMemory.kbField(List.of("VmRSSx: 1 kB", "VmRSS: 2 kB"), "VmRSS")).hasValue(2048);
  }

  @Test
  void kbField_withANonNumber_isEmpty() {
    assertThat(LinuxMemory.kbField(List.of("VmRSS: lots kB"), "VmRSS")).isEmpty();
  }

  @Test
  void isReadable_withoutProc_isFalse() {
    LinuxMemory memory = new FakeLinux(root).memory();

    assertThat(memory.isReadable()).isFalse();
    assertThat(memory.rssBytes()).isEmpty();
    assertThat(memory.cgroup()).isEmpty();
  }

  @Test
  void machineBytes_isMemTotalFromMeminfo() {
    LinuxMemory memory = new FakeLinux(root).meminfo(FakeLinux.MEMINFO).memory();

    assertThat(memory.machineBytes()).hasValue(2048 * MIB);
  }

  @Test
  void boundBytes_withALimitBelowRam_isTheLimit() {
    FakeLinux linux =
        new FakeLinux(root)
            .meminfo(FakeLinux.MEMINFO)
            .cgroupV2("/app")
            .write("sys/fs/cgroup/app/memory.max", "1073741824\n");

    assertThat(linux.memory().containerLimitBytes()).hasValue(1024 * MIB);
    assertThat(linux.memory().boundBytes()).hasValue(1024 * MIB);
  }

  @Test
  void boundBytes_withALimitAboveRam_isRamAndNoContainerLimit() {
    FakeLinux linux =
        new FakeLinux(root)
            .meminfo(FakeLinux.MEMINFO)
            .cgroupV2("/app")
            .write("sys/fs/cgroup/app/memory.max", String.valueOf(64L * 1024 * MIB));

    assertThat(linux.memory().containerLimitBytes()).isEmpty();
    assertThat(linux.memory().boundBytes()).hasValue(2048 * MIB);
  }

  @Test
  void boundBytes_withoutACgroup_isRam() {
    LinuxMemory memory = new FakeLinux(root).meminfo(FakeLinux.MEMINFO).memory();

    assertThat(memory.containerLimitBytes()).isEmpty();
    assertThat(memory.boundBytes()).hasValue(2048 * MIB);
  }

  @Test
  void rssBytes_ofThisProcess_isPositiveOnLinux() {
    LinuxMemory memory = LinuxMemory.system();
    OptionalLong rss = memory.rssBytes();

    assertThat(rss).as("Linux has /proc/self/status").isPresent();
    assertThat(rss.getAsLong()).isPositive();
    assertThat(memory.rssPeakBytes().getAsLong()).isGreaterThanOrEqualTo(rss.getAsLong());
  }
}
