package dev.oomguard.executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Bad settings fail where they are made, naming the bad value. */
class BuilderTest {
  @Test
  void builder_whenNameIsBlank_throwsNamingIt() {
    assertThatThrownBy(() -> BoundedExecutors.builder(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("name must not be blank, was ' '");
  }

  @Test
  void threads_whenZero_throwsNamingTheValue() {
    assertThatThrownBy(() -> BoundedExecutors.builder("x").threads(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("threads must be at least 1, was 0");
  }

  @Test
  void queueCapacity_whenNegative_throwsNamingTheValue() {
    assertThatThrownBy(() -> BoundedExecutors.newFixedThreadPool("x", 1, -5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("queueCapacity must be at least 1, was -5");
  }

  @Test
  void maxQueueWait_whenZero_throwsNamingTheValue() {
    assertThatThrownBy(() -> BoundedExecutors.builder("x").maxQueueWait(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxQueueWait must be positive, was PT0S");
  }

  @Test
  void highWaterMark_whenFractionAboveOne_throwsNamingTheValue() {
    assertThatThrownBy(
            () -> BoundedExecutors.builder("x").highWaterMark(1.5, (executor, above) -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("highWaterMark fraction must be in (0, 1], was 1.5");
  }

  @Test
  void highWaterMark_whenFractionIsNaN_throws() {
    assertThatThrownBy(
            () -> BoundedExecutors.builder("x").highWaterMark(Double.NaN, (executor, above) -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("NaN");
  }

  @Test
  void closeTimeout_whenNegative_throwsNamingTheValue() {
    assertThatThrownBy(() -> BoundedExecutors.builder("x").closeTimeout(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("closeTimeout must not be negative, was PT-1S");
  }

  @Test
  void block_whenMaxWaitIsNegative_throwsNamingTheValue() {
    assertThatThrownBy(() -> OverflowPolicy.block(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxWait must not be negative, was PT-0.001S");
  }

  @Test
  void builtInPolicy_calledWithAForeignExecutor_throwsNamingIt() {
    BoundedExecutorService foreign = new ForeignExecutor();

    assertThatThrownBy(() -> OverflowPolicy.reject().onOverflow(() -> {}, foreign))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(ForeignExecutor.class.getName());
  }

  @Test
  void build_withDefaults_hasTheDocumentedCapacityAndThreads() throws Exception {
    try (BoundedExecutorService pool = BoundedExecutors.builder("defaults").build()) {
      assertThat(pool.queueCapacity()).isEqualTo(BoundedExecutors.DEFAULT_QUEUE_CAPACITY);
      assertThat(((BoundedThreadPool) pool).threads()).isEqualTo(BoundedExecutors.DEFAULT_THREADS);
      assertThat(pool.toString()).contains("defaults", "overflow=reject");
    }
  }

  /** An executor that is not one of ours. */
  private static final class ForeignExecutor extends java.util.concurrent.AbstractExecutorService
      implements BoundedExecutorService {
    @Override
    public int queueSize() {
      return 0;
    }

    @Override
    public int queueCapacity() {
      return 1;
    }

    @Override
    public String name() {
      return "foreign";
    }

    @Override
    public void close() {}

    @Override
    public boolean closeWithTimeout() {
      return false;
    }

    @Override
    public void shutdown() {}

    @Override
    public java.util.List<Runnable> shutdownNow() {
      return java.util.List.of();
    }

    @Override
    public boolean isShutdown() {
      return false;
    }

    @Override
    public boolean isTerminated() {
      return false;
    }

    @Override
    public boolean awaitTermination(long timeout, java.util.concurrent.TimeUnit unit) {
      return false;
    }

    @Override
    public void execute(Runnable command) {
      command.run();
    }
  }
}
