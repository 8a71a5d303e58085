package dev.oomguard.executors;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * The meters of an {@link EventProcessor}; loaded only when {@link
 * EventProcessor.Builder#meterRegistry} was called, so the processor runs without Micrometer.
 *
 * <p>Micrometer hands back the meter already registered under an id, still reading the first
 * processor's counts; so a second live processor of the same name fails to build instead of
 * reporting the first one's figures, and {@link #unbind} removes exactly the meters its processor
 * registered, never another's.
 */
final class EventProcessorMetrics {
  private static final String EVENTS = "events";
  private static final String ACCEPTED = "events.accepted";

  private EventProcessorMetrics() {}

  /** Registers the processor's meters and returns them, for {@link #unbind}. */
  static List<Object> bind(EventProcessor<?> processor, Object meterRegistry) {
    MeterRegistry registry = (MeterRegistry) meterRegistry;
    Tags tags = Tags.of("name", processor.name());
    List<Object> meters = new ArrayList<>();
    // Check and register as one step, against a processor of the same name built concurrently.
    synchronized (registry) {
      if (registry.find(ACCEPTED).tags(tags).meter() != null) {
        throw new IllegalStateException(
            "An EventProcessor named '"
                + processor.name()
                + "' is already registered in "
                + registry.getClass().getSimpleName()
                + ": close it first, or give this one another name");
      }
      counter(
          meters,
          registry,
          tags,
          processor,
          ACCEPTED,
          "Events queued to be handled here",
          p -> p.accepted);
      counter(
          meters,
          registry,
          tags,
          processor,
          "events.spilled",
          "Events written to the overflow store: the queue was full, or the processor closed",
          p -> p.spilled);
      counter(
          meters,
          registry,
          tags,
          processor,
          "events.unconfirmed",
          "Spills the store did not confirm in time: the event may or may not be stored",
          p -> p.unconfirmed);
      counter(
          meters,
          registry,
          tags,
          processor,
          "events.replayed",
          "Spilled events taken back from the overflow store to be handled here",
          p -> p.replayed);
      counter(
          meters,
          registry,
          tags,
          processor,
          "events.handled",
          "Events whose handler returned",
          p -> p.handled);
      counter(
          meters,
          registry,
          tags,
          processor,
          "events.failed",
          "Events whose handler threw; they are not retried",
          p -> p.failed);
      counter(
          meters,
          registry,
          tags,
          processor,
          "events.expired",
          "Events dropped because they were older than maxAge",
          p -> p.expired);
      counter(
          meters,
          registry,
          tags,
          processor,
          "events.rejected",
          "Events refused and not stored: queue full with no working store, or closed",
          p -> p.rejected);
      counter(
          meters,
          registry,
          tags,
          processor,
          "events.lost",
          "Accepted events neither handled nor spilled: close() ran out of time with the store failing",
          p -> p.lost);
      meters.add(
          FunctionCounter.builder("events.store.errors", processor, p -> p.storeErrors.sum())
              .description("Overflow store operations that failed or timed out")
              .baseUnit("errors")
              .tags(tags)
              .register(registry));
      meters.add(
          Gauge.builder(
                  "events.spill.backlog",
                  processor,
                  p -> p.spillBacklog < 0 ? Double.NaN : p.spillBacklog)
              .description("Events in the overflow store, as of the last replay round")
              .baseUnit(EVENTS)
              .tags(tags)
              .register(registry));
      OverflowStore<?> store = processor.store();
      if (store != null) {
        storeCounter(
            meters,
            registry,
            tags,
            store,
            "events.store.trimmed",
            "Spilled events the store's TTL removed before any instance handled them",
            EVENTS,
            OverflowStore::trimmed);
        storeCounter(
            meters,
            registry,
            tags,
            store,
            "events.store.unreadable",
            "Store entries dropped because they could not be read back as events",
            EVENTS,
            OverflowStore::unreadable);
        storeCounter(
            meters,
            registry,
            tags,
            store,
            "events.store.wiped",
            "Times the store found its contents gone (a restart without persistence, a flush), with the spills it held",
            "wipes",
            OverflowStore::wiped);
      }
    }
    return meters;
  }

  /** Removes the meters {@link #bind} registered, and only those; its executor removes its own. */
  static void unbind(List<Object> meters, Object meterRegistry) {
    MeterRegistry registry = (MeterRegistry) meterRegistry;
    synchronized (registry) {
      for (Object meter : meters) {
        registry.remove((Meter) meter);
      }
    }
  }

  private static void counter(
      List<Object> meters,
      MeterRegistry registry,
      Tags tags,
      EventProcessor<?> processor,
      String name,
      String description,
      Function<EventProcessor<?>, LongAdder> count) {
    meters.add(
        FunctionCounter.builder(name, processor, p -> count.apply(p).sum())
            .description(description)
            .baseUnit(EVENTS)
            .tags(tags)
            .register(registry));
  }

  private static void storeCounter(
      List<Object> meters,
      MeterRegistry registry,
      Tags tags,
      OverflowStore<?> store,
      String name,
      String description,
      String unit,
      ToDoubleFunction<OverflowStore<?>> count) {
    meters.add(
        FunctionCounter.builder(name, store, count)
            .description(description)
            .baseUnit(unit)
            .tags(tags)
            .register(registry));
  }
}
