package dev.oomguard.executors;

import java.util.List;

/**
 * Where events go when the local queue has no room, and where they come back from when it has. A
 * store may be shared by several processes: an event taken by one is handed to another if the first
 * does not {@link #acknowledge acknowledge} it in time (it crashed), so delivery is at-least-once,
 * and a handler must tolerate seeing an event twice.
 *
 * <p>Every method either completes within the store's own time bound or throws {@link
 * OverflowStoreException}; none blocks indefinitely, so a store that is down cannot stall the
 * producers that spill into it. One call is one deadline, however many commands it sends.
 *
 * @param <E> the event type
 */
public interface OverflowStore<E> extends AutoCloseable {
  /**
   * Stores {@code event} durably, or throws.
   *
   * @throws OverflowStoreException if the event was not stored; {@link
   *     OverflowStoreException#mayHaveStored()} tells a refusal (not stored) from a write whose
   *     outcome is unknown (it timed out or the connection dropped after it was sent)
   */
  void spill(E event);

  /**
   * Takes up to {@code max} stored events for this process to handle, oldest first: events
   * abandoned by a process that stopped without acknowledging them, then events not handed out yet.
   * Each stays in the store until it is acknowledged.
   *
   * @throws OverflowStoreException if the store cannot be read
   */
  List<Spilled<E>> take(int max);

  /**
   * Removes a taken event for good: it was handled, or deliberately dropped (too old).
   *
   * @throws OverflowStoreException if the store cannot be written; the event will then be handed
   *     out again
   */
  void acknowledge(Spilled<E> spilled);

  /**
   * Removes taken events for good, in one go where the store can; the processor acknowledges in
   * batches, off its handler threads. By default, one {@link #acknowledge(Spilled)} each.
   *
   * @throws OverflowStoreException if the store cannot be written; the events not removed will then
   *     be handed out again
   */
  default void acknowledge(List<? extends Spilled<E>> batch) {
    for (Spilled<E> spilled : batch) {
      acknowledge(spilled);
    }
  }

  /**
   * Gives back taken events that this process will not handle after all (it is closing): they stay
   * in the store, and are handed out again after the store's reclaim delay, to any process. By
   * default, nothing to do.
   */
  default void release(List<? extends Spilled<E>> notHandled) {}

  /** Events stored and not yet acknowledged, or -1 when the store cannot tell right now. */
  long size();

  /**
   * Events the store removed without handing them out because they outlived its time to live, since
   * it was built; 0 if it has no such limit. Counted in {@code events.store.trimmed}.
   */
  default long trimmed() {
    return 0;
  }

  /**
   * Entries the store dropped because they could not be read back as events (garbage, an empty
   * entry, a codec that failed or returned null), since it was built. Counted in {@code
   * events.store.unreadable}.
   */
  default long unreadable() {
    return 0;
  }

  /**
   * Times the store found that its contents had vanished behind its back (a Redis restarted without
   * persistence, a flush, a deleted key), losing what was spilled, since it was built. Counted in
   * {@code events.store.wiped}.
   */
  default long wiped() {
    return 0;
  }

  /** Releases what the store holds open; it does not delete stored events. */
  @Override
  default void close() {}

  /**
   * An event taken from a store, to be acknowledged once handled.
   *
   * @param <E> the event type
   */
  interface Spilled<E> {
    E event();

    /** The store's id for the event, for logs. */
    String id();
  }
}
