package dev.oomguard.executors;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.search.Search;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * The meters of an {@link EventProcessor}; loaded only when {@link
 * EventProcessor.Builder#meterRegistry} was called, so the processor runs without Micrometer.
 */
final class EventProcessorMetrics {
  private static final String EVENTS = "events";

  private EventProcessorMetrics() {}

  static void bind(EventProcessor<?> processor, Object meterRegistry) {
    MeterRegistry registry = (MeterRegistry) meterRegistry;
    Tags tags = Tags.of("name", processor.name());
    counter(registry, tags, processor, "events.accepted", "Events queued to be handled here", p -> p.accepted);
    counter(registry, tags, processor, "events.spilled", "Events written to the overflow store: the queue was full, or the processor closed", p -> p.spilled);
    counter(registry, tags, processor, "events.replayed", "Spilled events taken back from the overflow store to be handled here", p -> p.replayed);
    counter(registry, tags, processor, "events.handled", "Events whose handler returned", p -> p.handled);
    counter(registry, tags, processor, "events.failed", "Events whose handler threw; they are not retried", p -> p.failed);
    counter(registry, tags, processor, "events.expired", "Events dropped because they were older than maxAge", p -> p.expired);
    counter(registry, tags, processor, "events.rejected", "Events refused: queue full with no working store, or closed", p -> p.rejected);
    FunctionCounter.builder("events.store.errors", processor, p -> p.storeErrors.sum())
        .description("Overflow store operations that failed or timed out")
        .baseUnit("errors")
        .tags(tags)
        .register(registry);
    Gauge.builder("events.spill.backlog", processor, p -> p.spillBacklog < 0 ? Double.NaN : p.spillBacklog)
        .description("Events in the overflow store, as of the last replay round")
        .baseUnit(EVENTS)
        .tags(tags)
        .register(registry);
  }

  /** Removes the processor's {@code events.*} meters; its executor removes its own. */
  static void unbind(EventProcessor<?> processor, Object meterRegistry) {
    MeterRegistry registry = (MeterRegistry) meterRegistry;
    for (Meter meter : Search.in(registry).name(name -> name.startsWith("events.")).tag("name", processor.name()).meters()) {
      registry.remove(meter);
    }
  }

  private static void counter(MeterRegistry registry, Tags tags, EventProcessor<?> processor, String name,
      String description, Function<EventProcessor<?>, LongAdder> count) {
    FunctionCounter.builder(name, processor, p -> count.apply(p).sum())
        .description(description)
        .baseUnit(EVENTS)
        .tags(tags)
        .register(registry);
  }
}
