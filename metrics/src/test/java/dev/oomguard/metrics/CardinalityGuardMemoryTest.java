package dev.oomguard.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import org.junit.jupiter.api.Test;

/** Guard memory is O(limits), not O(distinct values seen): 1,000,000 distinct values, measured. */
class CardinalityGuardMemoryTest {
  static final int DISTINCT_VALUES = 1_000_000;
  static final int MAX_TAG_VALUES = 100;
  static final int MAX_SERIES = 1_000;

  private final MeterRegistry registry = new SimpleMeterRegistry();
  private final CardinalityGuard guard =
      CardinalityGuard.builder().maxTagValues(MAX_TAG_VALUES).maxSeries(MAX_SERIES).build();

  CardinalityGuardMemoryTest() {
    guard.bindTo(registry);
  }

  private void churn(int from, int to) {
    for (int i = from; i < to; i++) {
      registry.counter("requests", "uri", "/items/" + i).increment();
    }
  }

  @Test
  void stateSize_afterAMillionDistinctValues_isBoundedByTheLimits() {
    churn(0, DISTINCT_VALUES);

    // Live meters: the capped values, the overflow meter and the guard's own seven; tag values: the
    // cap, and the two values each of the guard's own "limit" and "reason" tags.
    assertThat(guard.stateSize())
        .isLessThanOrEqualTo((MAX_TAG_VALUES + 1 + 7) + (MAX_TAG_VALUES + 4));
    assertThat(registry.getMeters()).hasSize(MAX_TAG_VALUES + 1 + 7);
  }

  @Test
  void retainedHeap_fromAHundredThousandToAMillionDistinctValues_staysFlat() {
    churn(0, 100_000);
    long before = retainedHeap();

    churn(100_000, DISTINCT_VALUES);
    long after = retainedHeap();

    // Unguarded, each new value retains a meter and its ids: hundreds of bytes, so ~900,000 of
    // them would be hundreds of MB. Allow 2 MiB for noise.
    assertThat(after - before).isLessThan(2L * 1024 * 1024);
    assertThat(registry.get("requests").tag("uri", "OVERFLOW").counter().count())
        .isEqualTo(DISTINCT_VALUES - MAX_TAG_VALUES);
  }

  /** Heap in use after collections have settled. */
  static long retainedHeap() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long previous = Long.MAX_VALUE;
    long used = memory.getHeapMemoryUsage().getUsed();
    for (int i = 0; i < 10 && used < previous; i++) {
      previous = used;
      System.gc();
      used = memory.getHeapMemoryUsage().getUsed();
    }
    return used;
  }
}
