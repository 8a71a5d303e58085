package dev.oomguard.metrics.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.oomguard.metrics.memory.MemorySizing.Report;
import dev.oomguard.metrics.memory.MemorySizing.Verdict;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * The verdict and advice from given facts; {@link MemorySizingForkTest} checks that real flags are
 * read.
 */
class MemorySizingTest {
  private static final long MIB = 1024 * 1024;
  private static final long GIB = 1024 * MIB;

  /**
   * Every part bounded by a flag, so the non-heap is exact: metaspace 64 + code cache 32 + 100
   * threads × 512 KiB (50) + direct 16 + Serial GC (1 + 0.5% of heap) + other 48 MiB.
   */
  private static JvmFacts bounded(long maxHeap) {
    return new JvmFacts(
        maxHeap,
        OptionalLong.of(64 * MIB),
        10 * MIB,
        2_000,
        64 * MIB,
        32 * MIB,
        100,
        512 * 1024,
        OptionalLong.of(16 * MIB),
        0,
        "Serial");
  }

  private static long boundedNonHeap(long maxHeap) {
    return (64 + 32 + 50 + 16 + 1 + 48) * MIB + maxHeap / 200;
  }

  @Test
  void report_withMoreThanTheMinimumHeadroomLeft_fits() {
    Report report = MemorySizing.report(bounded(512 * MIB), OptionalLong.of(GIB), "test", 0.10);

    assertThat(report.verdict()).isEqualTo(Verdict.FITS);
    assertThat(report.nonHeapBytes()).isEqualTo(boundedNonHeap(512 * MIB));
    assertThat(report.headroomBytes()).isEqualTo(GIB - 512 * MIB - boundedNonHeap(512 * MIB));
    assertThat(report.advice())
        .startsWith("max heap 512 MiB + non-heap ~214 MiB = 726 MiB leaves 298 MiB (29%)")
        .contains("of the 1024 MiB limit (test)");
  }

  @Test
  void report_withLessThanTheMinimumHeadroomLeft_isTightWithTheHeapThatWouldFit() {
    Report report = MemorySizing.report(bounded(800 * MIB), OptionalLong.of(GIB), "test", 0.10);

    assertThat(report.verdict()).isEqualTo(Verdict.TIGHT);
    long maxHeapToFit = (long) (GIB * 0.9) - boundedNonHeap(800 * MIB);
    assertThat(report.maxHeapToFitBytes()).isEqualTo(maxHeapToFit);
    assertThat(report.advice())
        .contains("leaves 9 MiB (1%) of the 1024 MiB limit (test), under the 10% to keep free")
        .contains("lower -Xmx to " + Bytes.mib(maxHeapToFit) + " or raise the limit to 1128 MiB");
  }

  @Test
  void report_overTheLimit_doesNotFitWithAdviceInMib() {
    Report report =
        MemorySizing.report(bounded(GIB), OptionalLong.of(GIB), "container memory.max", 0.10);

    assertThat(report.verdict()).isEqualTo(Verdict.DOES_NOT_FIT);
    assertThat(report.headroomBytes()).isEqualTo(-boundedNonHeap(GIB));
    assertThat(report.advice())
        .startsWith(
            "max heap 1024 MiB + non-heap ~216 MiB = 1240 MiB is 216 MiB over the 1024 MiB limit"
                + " (container memory.max)")
        .contains("raise the limit to 1378 MiB")
        .contains("the largest non-heap part is metaspace, 64 MiB (-XX:MaxMetaspaceSize)");
  }

  @Test
  void report_theIncident_1GbMachineXmx256mAndALargeNonHeap_doesNotFit() {
    // Incident 2: 256 MiB heap on a 1 GB machine; G1, default code cache, metaspace and direct
    // memory
    // as large as image work makes them, and the twenty request threads plus the server's own.
    JvmFacts incident =
        new JvmFacts(
            256 * MIB,
            OptionalLong.of(256 * MIB),
            90 * MIB,
            15_000,
            248 * MIB,
            240 * MIB,
            60,
            MIB,
            OptionalLong.of(256 * MIB),
            0,
            "G1");

    Report report =
        MemorySizing.report(incident, OptionalLong.of(1000L * 1000 * 1000), "machine memory", 0.10);

    assertThat(report.verdict()).isEqualTo(Verdict.DOES_NOT_FIT);
    assertThat(report.advice())
        .contains("max heap 256 MiB + non-heap ~906 MiB")
        .contains("over the 954 MiB limit");
  }

  @Test
  void report_withUnboundedMetaspace_estimatesItFromTheLoadedClasses() {
    JvmFacts facts =
        new JvmFacts(
            256 * MIB,
            OptionalLong.empty(),
            20 * MIB,
            10_000,
            GIB,
            240 * MIB,
            20,
            MIB,
            OptionalLong.empty(),
            0,
            "G1");

    Report report = MemorySizing.report(facts, OptionalLong.of(GIB), "test", 0.10);

    assertThat(report.item("metaspace").bytes()).isEqualTo(10_000 * 5_800L + 14 * MIB);
    assertThat(report.item("metaspace").basis())
        .contains("10000 classes")
        .contains("-XX:MaxMetaspaceSize");
  }

  @Test
  void report_withUnboundedMetaspaceAlreadyLarger_countsWhatIsCommitted() {
    JvmFacts facts =
        new JvmFacts(
            256 * MIB,
            OptionalLong.empty(),
            200 * MIB,
            1_000,
            GIB,
            240 * MIB,
            20,
            MIB,
            OptionalLong.empty(),
            0,
            "G1");

    assertThat(
            MemorySizing.report(facts, OptionalLong.of(GIB), "test", 0.10)
                .item("metaspace")
                .bytes())
        .isEqualTo(200 * MIB);
  }

  @Test
  void report_withUnsetDirectMemory_countsWhatIsInUseButAtLeastTenMib() {
    JvmFacts idle =
        new JvmFacts(
            256 * MIB, OptionalLong.empty(), 0, 0, 0, 0, 0, 0, OptionalLong.empty(), MIB, "G1");
    JvmFacts busy =
        new JvmFacts(
            256 * MIB,
            OptionalLong.empty(),
            0,
            0,
            0,
            0,
            0,
            0,
            OptionalLong.empty(),
            99 * MIB,
            "G1");

    assertThat(
            MemorySizing.report(idle, OptionalLong.of(GIB), "t", 0.1)
                .item("direct buffers")
                .bytes())
        .isEqualTo(10 * MIB);
    assertThat(
            MemorySizing.report(busy, OptionalLong.of(GIB), "t", 0.1)
                .item("direct buffers")
                .bytes())
        .isEqualTo(99 * MIB);
  }

  @Test
  void report_withANonHeapThatAloneExceedsTheLimit_saysToBoundIt() {
    Report report =
        MemorySizing.report(bounded(64 * MIB), OptionalLong.of(200 * MIB), "test", 0.10);

    assertThat(report.verdict()).isEqualTo(Verdict.DOES_NOT_FIT);
    assertThat(report.maxHeapToFitBytes()).isNegative();
    assertThat(report.advice())
        .contains("the non-heap alone leaves no room for a heap: bound it or raise the limit to");
  }

  @Test
  void report_withoutALimit_isUnknown() {
    Report report = MemorySizing.report(bounded(64 * MIB), OptionalLong.empty(), "none", 0.10);

    assertThat(report.verdict()).isEqualTo(Verdict.UNKNOWN);
    assertThat(report.advice())
        .contains("no memory limit found")
        .contains("-Doomguard.memory.limit");
  }

  @Test
  void gcBytes_followTheMeasuredCostOfEachCollector() {
    assertThat(MemorySizing.gcBytes("G1", GIB)).isEqualTo(36 * MIB + GIB / 25);
    assertThat(MemorySizing.gcBytes("Parallel", GIB)).isEqualTo(10 * MIB + GIB / 25);
    assertThat(MemorySizing.gcBytes("Serial", GIB)).isEqualTo(MIB + GIB / 200);
  }

  @Test
  void toString_listsTheHeapAndEveryNonHeapPartInMib() {
    String text =
        MemorySizing.report(bounded(800 * MIB), OptionalLong.of(GIB), "test", 0.10).toString();

    assertThat(text)
        .startsWith("memory sizing: tight\n")
        .contains("max heap             800 MiB  -Xmx")
        .contains("metaspace             64 MiB  -XX:MaxMetaspaceSize")
        .contains("thread stacks         50 MiB  100 threads × 512 KiB -Xss")
        .contains("compressed class space: 64 MiB reserved");
  }

  @Test
  void inspect_withAGivenLimit_checksAgainstIt() {
    Report report = MemorySizing.builder().memoryLimit(64 * MIB).inspect();

    assertThat(report.limitBytes()).hasValue(64 * MIB);
    assertThat(report.limitSource()).isEqualTo("as given");
    assertThat(report.verdict())
        .as("the test JVM's heap alone exceeds 64 MiB")
        .isEqualTo(Verdict.DOES_NOT_FIT);
  }

  @Test
  void inspect_countsAtLeastTheExpectedThreads() {
    Report report = MemorySizing.builder().memoryLimit(GIB).expectedThreads(5_000).inspect();

    assertThat(report.item("thread stacks").basis()).startsWith("5000 threads × ");
  }

  @Test
  void inspect_withTheLimitPropertyNotASize_throwsNamingIt() {
    System.setProperty(MemorySizing.LIMIT_PROPERTY, "lots");
    try {
      assertThatThrownBy(MemorySizing::inspect)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(MemorySizing.LIMIT_PROPERTY)
          .hasMessageContaining("'lots'");
    } finally {
      System.clearProperty(MemorySizing.LIMIT_PROPERTY);
    }
  }

  @Test
  void log_whenItDoesNotFit_warnsWithTheWholeReport() {
    List<LogRecord> records =
        captureLog(() -> MemorySizing.builder().memoryLimit(64 * MIB).inspect().log());

    assertThat(records)
        .singleElement()
        .satisfies(
            record -> {
              assertThat(record.getLevel()).isEqualTo(Level.WARNING);
              assertThat(record.getMessage())
                  .startsWith("memory sizing: does not fit")
                  .contains("max heap")
                  .contains("MiB");
            });
  }

  @Test
  void log_whenItFits_saysSoInOneInfoLine() {
    List<LogRecord> records =
        captureLog(() -> MemorySizing.builder().memoryLimit(1024 * GIB).inspect().log());

    assertThat(records)
        .singleElement()
        .satisfies(
            record -> {
              assertThat(record.getLevel()).isEqualTo(Level.INFO);
              assertThat(record.getMessage())
                  .startsWith("memory sizing: fits: max heap")
                  .doesNotContain("\n");
            });
  }

  /**
   * What {@code System.Logger} sends to java.util.logging, its default backend, while {@code
   * action} runs.
   */
  private static List<LogRecord> captureLog(Runnable action) {
    Logger logger = Logger.getLogger(MemorySizing.class.getName());
    List<LogRecord> records = new CopyOnWriteArrayList<>();
    Handler handler =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            records.add(record);
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    logger.addHandler(handler);
    try {
      action.run();
      return records;
    } finally {
      logger.removeHandler(handler);
    }
  }

  @Test
  void memoryLimit_notPositive_throwsNamingIt() {
    assertThatThrownBy(() -> MemorySizing.builder().memoryLimit(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("memoryLimit")
        .hasMessageContaining("0");
  }

  @Test
  void expectedThreads_negative_throwsNamingIt() {
    assertThatThrownBy(() -> MemorySizing.builder().expectedThreads(-3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expectedThreads")
        .hasMessageContaining("-3");
  }

  @Test
  void minHeadroom_outsideZeroToOne_throwsNamingIt() {
    assertThatThrownBy(() -> MemorySizing.builder().minHeadroom(1.0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("minHeadroom")
        .hasMessageContaining("1.0");
  }

  @Test
  void parseSize_acceptsTheJvmsSuffixes() {
    assertThat(Bytes.parseSize("1073741824")).isEqualTo(GIB);
    assertThat(Bytes.parseSize("1048576k")).isEqualTo(GIB);
    assertThat(Bytes.parseSize("1024M")).isEqualTo(GIB);
    assertThat(Bytes.parseSize(" 1g ")).isEqualTo(GIB);
  }

  @Test
  void parseSize_ofNonsense_throwsQuotingIt() {
    assertThatThrownBy(() -> Bytes.parseSize("1x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'1x'");
    assertThatThrownBy(() -> Bytes.parseSize("-5m"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'-5m'");
    assertThatThrownBy(() -> Bytes.parseSize("99999999999g"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
