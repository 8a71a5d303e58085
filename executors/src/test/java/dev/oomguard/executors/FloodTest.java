package dev.oomguard.executors;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomguard.testsupport.ForkedJvm;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Incident 3, reproduced: a producer floods a two-thread pool with 1 KiB events in a 64 MiB heap.
 * The JDK's fixed pool queues them all and dies of OutOfMemoryError; the bounded pool rejects what
 * does not fit and finishes with every event accounted for. The JDK run shows that the test can
 * tell the two apart.
 */
class FloodTest {
  /** 500 MiB of events, eight times the heap. */
  private static final int TASKS = 500_000;

  private static final List<String> SMALL_HEAP =
      List.of("-Xmx64m", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError");

  /** The JVM's exit code after -XX:+ExitOnOutOfMemoryError. */
  private static final int OOM_EXIT = 3;

  @Test
  void jdkFixedThreadPool_underAFlood_diesOfOutOfMemory() {
    ForkedJvm.Result result =
        ForkedJvm.run(SMALL_HEAP, FloodWorkload.class, "jdk", String.valueOf(TASKS));

    assertThat(result.exitCode()).as(result.describe("exit code")).isEqualTo(OOM_EXIT);
    assertThat(result.output()).as(result.describe("output")).contains("OutOfMemoryError");
  }

  @Test
  void boundedFixedThreadPool_underTheSameFlood_finishesAndAccountsForEveryTask() {
    ForkedJvm.Result result =
        ForkedJvm.run(SMALL_HEAP, FloodWorkload.class, "oomguard", String.valueOf(TASKS));

    assertThat(result.exitCode()).as(result.describe("exit code")).isZero();
    assertThat(result.output()).doesNotContain("OutOfMemoryError");
    assertThat(result.number("submitted")).isEqualTo(TASKS);
    assertThat(
            result.number("ran")
                + result.number("rejected")
                + result.number("counted.discarded")
                + result.number("counted.expired"))
        .as(result.describe("ran + rejected + discarded + expired"))
        .isEqualTo(TASKS);
    assertThat(result.number("counted.rejected"))
        .as(result.describe("rejections counted"))
        .isEqualTo(result.number("rejected"));
    assertThat(result.number("rejected"))
        .as(result.describe("the flood overflowed the queue"))
        .isPositive();
    assertThat(result.number("ran"))
        .as(result.describe("the workers kept working"))
        .isGreaterThanOrEqualTo(FloodWorkload.QUEUE_CAPACITY);
  }
}
