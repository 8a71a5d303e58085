package dev.oomguard.executors;

import java.util.List;

/**
 * Where events go when the local queue has no room, and where they come back from when it has.
 * A store may be shared by several processes: an event taken by one is handed to another if the
 * first does not {@link #acknowledge acknowledge} it in time (it crashed), so delivery is
 * at-least-once, and a handler must tolerate seeing an event twice.
 *
 * <p>Every method either completes within the store's own time bound or throws {@link
 * OverflowStoreException}; none blocks indefinitely, so a store that is down cannot stall the
 * producers that spill into it.
 *
 * @param <E> the event type
 */
public interface OverflowStore<E> extends AutoCloseable {
  /**
   * Stores {@code event} durably, or throws.
   *
   * @throws OverflowStoreException if the event was not stored
   */
  void spill(E event);

  /**
   * Takes up to {@code max} stored events for this process to handle, oldest first: events
   * abandoned by a process that stopped without acknowledging them, then events not handed out
   * yet. Each stays in the store until it is acknowledged.
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

  /** Events stored and not yet acknowledged, or -1 when the store cannot tell right now. */
  long size();

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
