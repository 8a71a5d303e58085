package dev.oomguard.executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The processor's {@code events.*} meters: one processor's meters are its own, and only its own go
 * at close.
 */
class EventProcessorMetricsTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @Test
  void build_secondLiveProcessorOfTheSameName_failsClearlyAndLeavesTheFirstsMeters() {
    EventProcessor<String> first =
        EventProcessor.<String>builder("orders", event -> {})
            .threads(1)
            .queueCapacity(4)
            .meterRegistry(registry)
            .build();
    try {
      first.submit("counted by the first");

      assertThatThrownBy(
              () ->
                  EventProcessor.<String>builder("orders", event -> {})
                      .threads(1)
                      .queueCapacity(4)
                      .meterRegistry(registry)
                      .build())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("EventProcessor named 'orders' is already registered");
      assertThat(counter("events.accepted", "orders")).isEqualTo(1);
    } finally {
      first.close();
    }
  }

  @Test
  void close_removesExactlyItsOwnMeters_andTheNameCanBeUsedAgain() {
    Counter users = Counter.builder("events.custom").tag("name", "orders").register(registry);
    EventProcessor<String> first =
        EventProcessor.<String>builder("orders", event -> {})
            .threads(1)
            .queueCapacity(4)
            .meterRegistry(registry)
            .build();
    first.close();

    assertThat(registry.getMeters())
        .extracting(meter -> meter.getId().getName())
        .filteredOn(n -> n.startsWith("events."))
        .containsExactly("events.custom");
    assertThat(registry.getMeters()).contains(users);

    EventProcessor<String> second =
        EventProcessor.<String>builder("orders", event -> {})
            .threads(1)
            .queueCapacity(4)
            .meterRegistry(registry)
            .build();
    try {
      assertThat(counter("events.accepted", "orders")).isZero();
    } finally {
      second.close();
    }
  }

  @Test
  void meters_ofAProcessorWithAStore_includeTheStoresLosses_eachWithADescriptionAndUnit()
      throws InterruptedException {
    CountDownLatch handled = new CountDownLatch(1);
    EventProcessor<String> processor =
        EventProcessor.<String>builder("losses", event -> handled.countDown())
            .threads(1)
            .queueCapacity(4)
            .meterRegistry(registry)
            .spillTo(new LossyStore())
            .build();
    try {
      processor.submit("e");
      assertThat(handled.await(30, TimeUnit.SECONDS)).isTrue();

      assertThat(counter("events.store.trimmed", "losses")).isEqualTo(7);
      assertThat(counter("events.store.unreadable", "losses")).isEqualTo(3);
      assertThat(counter("events.store.wiped", "losses")).isEqualTo(1);
      for (Meter meter : registry.getMeters()) {
        if (meter.getId().getName().startsWith("events.")) {
          assertThat(meter.getId().getDescription()).as(meter.getId().getName()).isNotBlank();
          assertThat(meter.getId().getBaseUnit()).as(meter.getId().getName()).isNotBlank();
        }
      }
    } finally {
      processor.close();
    }
  }

  private double counter(String name, String processor) {
    return registry.get(name).tag("name", processor).functionCounter().count();
  }

  /** A store with nothing in it that reports losses. */
  private static final class LossyStore implements OverflowStore<String> {
    @Override
    public void spill(String event) {}

    @Override
    public java.util.List<Spilled<String>> take(int max) {
      return java.util.List.of();
    }

    @Override
    public void acknowledge(Spilled<String> spilled) {}

    @Override
    public long size() {
      return 0;
    }

    @Override
    public long trimmed() {
      return 7;
    }

    @Override
    public long unreadable() {
      return 3;
    }

    @Override
    public long wiped() {
      return 1;
    }
  }
}
