package dev.oomguard.executors;

/** What {@link EventProcessor#submit} did with an event. */
public enum SubmitResult {
  /** Queued to be handled here. */
  ACCEPTED,
  /** The queue was full: written to the overflow store, to be replayed here or by another instance. */
  SPILLED,
  /**
   * Not taken: the queue was full and there is no overflow store, or the store failed, or the
   * processor is closed. The caller still holds the event.
   */
  REJECTED,
  /** Older than {@code maxAge} already: dropped, and counted. */
  EXPIRED
}
