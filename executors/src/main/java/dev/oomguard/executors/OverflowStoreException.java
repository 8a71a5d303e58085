package dev.oomguard.executors;

/** An {@link OverflowStore} could not do what was asked; the message names the store and why. */
public class OverflowStoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public OverflowStoreException(String message, Throwable cause) {
    super(message, cause);
  }

  public OverflowStoreException(String message) {
    super(message);
  }
}
