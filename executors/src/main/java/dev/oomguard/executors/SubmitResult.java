package dev.oomguard.executors;

/**
 * What {@link EventProcessor#submit} did with an event. Only {@code REJECTED} hands the event back
 * to the caller; every other outcome means the processor or its store has it (or dropped it as too
 * old, and counted it).
 */
public enum SubmitResult {
  /** Queued to be handled here. */
  ACCEPTED,
  /**
   * The queue was full: written to the overflow store, to be replayed here or by another instance.
   */
  SPILLED,
  /**
   * Not taken, and certainly not stored: the queue was full and there is no overflow store, or the
   * store refused the write (it is down, out of memory, denies the command), or the processor is
   * closed. The caller still holds the event and may retry it without creating a duplicate.
   */
  REJECTED,
  /** Older than {@code maxAge} already: dropped, and counted. */
  EXPIRED,
  /**
   * The queue was full and the store did not confirm the write in time (it hung, or the connection
   * dropped after the write was sent): the event may be stored, and then it will be handled, or it
   * may not. A caller that retries it may cause a duplicate, which at-least-once handlers tolerate
   * anyway; one that drops it may lose it. Counted in {@code events.unconfirmed}.
   */
  UNCONFIRMED
}
