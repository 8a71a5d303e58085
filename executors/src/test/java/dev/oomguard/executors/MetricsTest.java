package dev.oomguard.executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ExecutorServiceMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The executor's meters, read from a real registry after a scenario whose counts are known. */
class MetricsTest {
  private final MeterRegistry registry = new SimpleMeterRegistry();
  private final AtomicLong clock = new AtomicLong();
  private final Gate gate = new Gate();

  @Test
  void meterRegistry_registersEveryMeterWithADescriptionAndUnitTaggedByName() {
    BoundedExecutorService pool =
        BoundedExecutors.builder("events")
            .threads(1)
            .queueCapacity(4)
            .meterRegistry(registry)
            .build();

    assertThat(registry.getMeters())
        .extracting(meter -> meter.getId().getName())
        .containsExactlyInAnyOrder(
            "executor.queued",
            "executor.queue.remaining",
            "executor.active",
            "executor.pool.size",
            "executor.pool.max",
            "executor.completed",
            "executor.rejected",
            "executor.expired",
            "executor.discarded",
            "executor.failed",
            "executor.idle");
    for (Meter meter : registry.getMeters()) {
      assertThat(meter.getId().getDescription()).as(meter.getId().getName()).isNotBlank();
      assertThat(meter.getId().getTag("name")).as(meter.getId().getName()).isEqualTo("events");
      if (!(meter instanceof Timer)) {
        assertThat(meter.getId().getBaseUnit()).as(meter.getId().getName()).isNotBlank();
      }
    }
  }

  @Test
  void meters_whenThePoolTerminates_areRemovedSoAPoolOfTheSameNameGetsItsOwn() throws Exception {
    BoundedExecutorService first =
        BoundedExecutors.builder("jobs")
            .threads(1)
            .queueCapacity(8)
            .meterRegistry(registry)
            .build();
    first.close();
    assertThat(registry.getMeters()).isEmpty();

    BoundedExecutorService second =
        BoundedExecutors.builder("jobs")
            .threads(1)
            .queueCapacity(8)
            .meterRegistry(registry)
            .build();
    try {
      gate.hold(second);
      for (int i = 0; i < 5; i++) {
        second.execute(() -> {});
      }
      assertThat(gauge("executor.queued")).isEqualTo(5);
      assertThat(gauge("executor.pool.size")).isEqualTo(1);
    } finally {
      gate.openAndStop(second);
    }
  }

  @Test
  void meters_afterASaturatedRun_countWhatHappened() throws Exception {
    BoundedExecutorService pool =
        BoundedExecutors.builder("events")
            .threads(1)
            .queueCapacity(2)
            .maxQueueWait(Duration.ofSeconds(10))
            .nanoTime(clock::get)
            .meterRegistry(registry)
            .build();
    pool.execute(gate);
    gate.awaitStarted();
    pool.submit(() -> {}); // will expire
    clock.addAndGet(Duration.ofSeconds(11).toNanos());
    pool.submit(() -> {}); // will run after waiting 3 s
    pool.execute(
        () -> {
          throw new IllegalStateException("fails");
        });
    assertThatThrownBy(() -> pool.submit(() -> {})).isInstanceOf(TaskRejectedException.class);

    assertThat(gauge("executor.queued")).isEqualTo(2);
    assertThat(gauge("executor.queue.remaining")).isZero();
    assertThat(gauge("executor.active")).isEqualTo(1);
    assertThat(gauge("executor.pool.size")).isEqualTo(1);

    clock.addAndGet(Duration.ofSeconds(3).toNanos());
    gate.open();
    // Read before the pool terminates: it removes its meters then.
    await()
        .atMost(Gate.TIMEOUT)
        .until(() -> counter("executor.completed") == 3 && gauge("executor.active") == 0);

    assertThat(counter("executor.rejected")).isEqualTo(1);
    assertThat(counter("executor.expired"))
        .as("the purge on the full queue, none at start")
        .isEqualTo(1);
    assertThat(counter("executor.completed"))
        .as("the gate, the waiting task, the failing one")
        .isEqualTo(3);
    assertThat(counter("executor.failed")).isEqualTo(1);
    assertThat(counter("executor.discarded")).isZero();
    Timer idle = registry.get("executor.idle").timer();
    assertThat(idle.count()).as("started tasks, the expired one not among them").isEqualTo(3);
    assertThat(idle.max(TimeUnit.SECONDS)).isEqualTo(3);
    pool.close();
  }

  @Test
  void discarded_countsTasksDroppedByTheDiscardPolicy() throws Exception {
    BoundedExecutorService pool =
        BoundedExecutors.builder("events")
            .threads(1)
            .queueCapacity(1)
            .overflow(OverflowPolicy.discardOldest(task -> {}))
            .meterRegistry(registry)
            .build();
    pool.execute(gate);
    gate.awaitStarted();
    Future<?> first = pool.submit(() -> {});
    pool.submit(() -> {});

    assertThat(first.isCancelled()).isTrue();
    assertThat(counter("executor.discarded")).isEqualTo(1);
    gate.openAndStop(pool);
  }

  @Test
  void build_whenALivePoolOfTheSameNameHasMeters_failsNamingTheMeterAndLeavesTheFirstAlone()
      throws Exception {
    BoundedThreadPool first =
        (BoundedThreadPool)
            BoundedExecutors.builder("jobs")
                .threads(1)
                .queueCapacity(8)
                .meterRegistry(registry)
                .build();
    List<Meter> firstMeters = List.copyOf(registry.getMeters());
    try {
      gate.hold(first);
      first.execute(() -> {});

      assertThatThrownBy(
              () ->
                  BoundedExecutors.builder("jobs")
                      .threads(1)
                      .queueCapacity(8)
                      .meterRegistry(registry)
                      .build())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("executor 'jobs' cannot register its meter")
          .hasMessageContaining("executor.idle");

      assertThat(registry.getMeters())
          .as("nothing of the refused pool left behind")
          .containsExactlyInAnyOrderElementsOf(firstMeters);
      assertThat(gauge("executor.queued")).as("the first pool's own figure").isEqualTo(1);
    } finally {
      gate.openAndStop(first);
    }
    assertThat(registry.getMeters()).isEmpty();
    BoundedExecutorService again =
        BoundedExecutors.builder("jobs").threads(1).meterRegistry(registry).build();
    again.close();
  }

  @Test
  void build_whenThePoolOfTheSameNameWasRefused_startedNoThread() {
    BoundedExecutorService first =
        BoundedExecutors.builder("jobs").threads(1).meterRegistry(registry).build();
    Set<Thread> before = Thread.getAllStackTraces().keySet();
    try {
      for (int i = 0; i < 3; i++) {
        assertThatThrownBy(
                () -> BoundedExecutors.builder("jobs").threads(1).meterRegistry(registry).build())
            .isInstanceOf(IllegalStateException.class);
      }
      assertThat(Thread.getAllStackTraces().keySet())
          .noneMatch(t -> !before.contains(t) && t.getName().startsWith("jobs-"));
    } finally {
      first.close();
    }
  }

  @Test
  void terminating_aPool_removesOnlyItsOwnMetersNotAJdkPoolsBoundUnderItsName() throws Exception {
    ExecutorService jdk = Executors.newFixedThreadPool(1);
    BoundedExecutorService pool =
        BoundedExecutors.builder("jobs").threads(1).meterRegistry(registry).build();
    // Micrometer's own binder for a JDK pool, under the same name: it shares the ids both have
    // (registry.find() gets the first) and adds its own, such as executor.pool.core.
    ExecutorServiceMetrics.monitor(registry, jdk, "jobs");
    Meter.Id core = registry.get("executor.pool.core").tag("name", "jobs").gauge().getId();
    Meter.Id execution = registry.get("executor").tag("name", "jobs").timer().getId();

    pool.close();

    assertThat(registry.getMeters())
        .extracting(Meter::getId)
        .contains(core, execution)
        .noneMatch(
            id ->
                id.getName().equals("executor.rejected") || id.getName().equals("executor.failed"));
    jdk.shutdownNow();
  }

  @Test
  void terminating_aPool_leavesAJdkPoolWithTheSameNameButOtherTagsAlone() throws Exception {
    ExecutorService jdk = Executors.newFixedThreadPool(1);
    new ExecutorServiceMetrics(jdk, "jobs", Tags.of("kind", "jdk")).bindTo(registry);
    List<Meter> jdkMeters = List.copyOf(registry.getMeters());
    BoundedExecutorService pool =
        BoundedExecutors.builder("jobs").threads(1).meterRegistry(registry).build();

    pool.close();

    // The old removal by name prefix and tag took every executor.* meter tagged name=jobs.
    assertThat(registry.getMeters()).containsExactlyInAnyOrderElementsOf(jdkMeters);
    jdk.shutdownNow();
  }

  @Test
  void build_whenAJdkPoolAlreadyHasTheSameMeterIds_failsRatherThanReportItsFigures() {
    ExecutorService jdk = Executors.newFixedThreadPool(1);
    new ExecutorServiceMetrics(jdk, "jobs", Tags.empty()).bindTo(registry);
    List<Meter> jdkMeters = List.copyOf(registry.getMeters());

    assertThatThrownBy(
            () -> BoundedExecutors.builder("jobs").threads(1).meterRegistry(registry).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'jobs'");

    assertThat(registry.getMeters()).containsExactlyInAnyOrderElementsOf(jdkMeters);
    jdk.shutdownNow();
  }

  @Test
  void meters_withTheRegistrysCommonTags_areStillRemovedExactlyAndDuplicatesStillRefused() {
    registry.config().commonTags("app", "billing");
    BoundedExecutorService pool =
        BoundedExecutors.builder("jobs").threads(1).meterRegistry(registry).build();
    assertThat(registry.get("executor.queued").tags("name", "jobs", "app", "billing").gauge())
        .isNotNull();

    assertThatThrownBy(
            () -> BoundedExecutors.builder("jobs").threads(1).meterRegistry(registry).build())
        .isInstanceOf(IllegalStateException.class);
    pool.close();

    assertThat(registry.getMeters()).isEmpty();
  }

  @Test
  void pools_withDifferentNames_eachRemoveTheirOwn() {
    BoundedExecutorService a =
        BoundedExecutors.builder("a").threads(1).meterRegistry(registry).build();
    BoundedExecutorService b =
        BoundedExecutors.builder("b").threads(1).meterRegistry(registry).build();

    a.close();

    assertThat(registry.getMeters())
        .hasSize(11)
        .allMatch(meter -> "b".equals(meter.getId().getTag("name")));
    b.close();
    assertThat(registry.getMeters()).isEmpty();
  }

  private double gauge(String name) {
    return registry.get(name).gauge().value();
  }

  private double counter(String name) {
    return registry.get(name).functionCounter().count();
  }
}
