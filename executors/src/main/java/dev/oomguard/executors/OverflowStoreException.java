package dev.oomguard.executors;

/**
 * An {@link OverflowStore} could not do what was asked; the message names the store and why. {@link
 * #mayHaveStored()} says whether a spill may still have been written.
 */
public class OverflowStoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final boolean mayHaveStored;

  public OverflowStoreException(String message, Throwable cause) {
    this(message, cause, false);
  }

  public OverflowStoreException(String message) {
    super(message);
    this.mayHaveStored = false;
  }

  /**
   * @param mayHaveStored true when the write was sent and its outcome is unknown (a timeout, a
   *     connection lost before the reply): the event may be in the store, and be handled later
   */
  public OverflowStoreException(String message, Throwable cause, boolean mayHaveStored) {
    super(message, cause);
    this.mayHaveStored = mayHaveStored;
  }

  /**
   * True when the failed operation was sent and may have taken effect anyway (the store did not
   * answer in time); false when it was refused or never sent, so it certainly did not.
   */
  public boolean mayHaveStored() {
    return mayHaveStored;
  }
}
