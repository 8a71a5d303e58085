package dev.oomguard.executors;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.function.ToDoubleFunction;

/**
 * Micrometer meters for a {@link MemoryBudget}: {@code memory.budget.used}, {@code
 * memory.budget.available}, {@code memory.budget.capacity} (bytes) and {@code
 * memory.budget.waiting} (requests). Micrometer is needed only by this class.
 *
 * <pre>{@code
 * new MemoryBudgetMetrics(budget, Tags.of("name", "images")).bindTo(registry);
 * }</pre>
 *
 * <p>{@code memory.budget.waiting} above zero for long means the budget, not the CPU, sets the
 * pace: requests are slower, and the process is alive.
 */
public final class MemoryBudgetMetrics implements MeterBinder {
  private final MemoryBudget budget;
  private final Tags tags;

  public MemoryBudgetMetrics(MemoryBudget budget) {
    this(budget, Tags.empty());
  }

  public MemoryBudgetMetrics(MemoryBudget budget, Iterable<Tag> tags) {
    this.budget = budget;
    this.tags = Tags.of(tags);
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    gauge(
        registry,
        "memory.budget.used",
        BaseUnits.BYTES,
        "Bytes held by open leases",
        MemoryBudget::usedBytes);
    gauge(
        registry,
        "memory.budget.available",
        BaseUnits.BYTES,
        "Bytes not held by any lease",
        MemoryBudget::availableBytes);
    gauge(
        registry,
        "memory.budget.capacity",
        BaseUnits.BYTES,
        "The whole budget",
        MemoryBudget::capacityBytes);
    gauge(
        registry,
        "memory.budget.waiting",
        "requests",
        "Requests waiting for room",
        MemoryBudget::waitingRequests);
  }

  private void gauge(
      MeterRegistry registry,
      String name,
      String unit,
      String description,
      ToDoubleFunction<MemoryBudget> value) {
    Gauge.builder(name, budget, value)
        .description(description)
        .tags(tags)
        .baseUnit(unit)
        .register(registry);
  }
}
