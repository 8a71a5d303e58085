package dev.oomguard.metrics.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Parsing what JDK 17 prints for {@code VM.native_memory summary}, captured from a real JVM with
 * -Xmx64m.
 */
class NmtSummaryTest {
  static final String IN_BYTES = resource("nmt-summary-jdk17-bytes.txt");
  static final String IN_KB = resource("nmt-summary-jdk17-kb.txt");

  @Test
  void parse_inBytes_readsEveryCategory() {
    NmtSummary summary = NmtSummary.parse(IN_BYTES);

    assertThat(summary.categories())
        .hasSize(21)
        .startsWith("Java Heap", "Class", "Thread", "Code", "GC")
        .contains("Internal", "Other", "Symbol", "Native Memory Tracking", "Metaspace");
    assertThat(summary.committed("Java Heap")).isEqualTo(64L * 1024 * 1024);
    assertThat(summary.reserved("Java Heap")).isEqualTo(64L * 1024 * 1024);
  }

  @Test
  void parse_inBytes_categoriesSumToTheTotal() {
    NmtSummary summary = NmtSummary.parse(IN_BYTES);

    long committed = summary.categories().stream().mapToLong(summary::committed).sum();
    long reserved = summary.categories().stream().mapToLong(summary::reserved).sum();
    assertThat(committed).isEqualTo(summary.totalCommitted());
    assertThat(reserved).isEqualTo(summary.totalReserved());
  }

  @Test
  void parse_inKb_convertsToBytes() {
    NmtSummary summary = NmtSummary.parse(IN_KB);

    assertThat(summary.committed("Java Heap")).isEqualTo(65_536L * 1024);
    assertThat(summary.totalCommitted()).isEqualTo(145_530L * 1024);
    assertThat(summary.categories()).contains("Class", "Thread", "Code", "GC", "Internal", "Other");
  }

  @Test
  void parse_inMb_convertsToBytes() {
    NmtSummary summary =
        NmtSummary.parse(
            "Total: reserved=1476MB, committed=142MB\n"
                + "-                 Java Heap (reserved=64MB, committed=64MB)\n"
                + "-                        GC (reserved=1GB, committed=2MB)\n");

    assertThat(summary.committed("Java Heap")).isEqualTo(64L << 20);
    assertThat(summary.reserved("GC")).isEqualTo(1L << 30);
    assertThat(summary.totalReserved()).isEqualTo(1476L << 20);
  }

  @Test
  void reserved_ofACategoryNotListed_isZero() {
    assertThat(NmtSummary.parse(IN_BYTES).reserved("Tracing of nothing")).isZero();
  }

  @Test
  void parse_whenNmtIsOff_throwsQuotingTheAnswer() {
    assertThatThrownBy(() -> NmtSummary.parse("Native memory tracking is not enabled\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Native memory tracking is not enabled");
  }

  @Test
  void isNotEnabled_recognisesTheJvmsAnswer() {
    assertThat(NmtSummary.isNotEnabled("Native memory tracking is not enabled\n")).isTrue();
    assertThat(NmtSummary.isNotEnabled(IN_BYTES)).isFalse();
  }

  static String resource(String name) {
    try (InputStream in = NmtSummaryTest.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("no test resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
