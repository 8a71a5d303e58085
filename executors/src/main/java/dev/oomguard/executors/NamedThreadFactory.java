package dev.oomguard.executors;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Threads named {@code name-1}, {@code name-2}, ... in the order they are made, daemon or not as
 * told, so that a thread dump says which executor a thread works for. For any executor of this
 * package (a pool's workers, a scheduler's thread).
 */
final class NamedThreadFactory implements ThreadFactory {
  private final String prefix;
  private final boolean daemon;
  private final AtomicInteger count = new AtomicInteger();

  NamedThreadFactory(String name, boolean daemon) {
    this.prefix = name + "-";
    this.daemon = daemon;
  }

  @Override
  public Thread newThread(Runnable task) {
    Thread thread = new Thread(task, prefix + count.incrementAndGet());
    thread.setDaemon(daemon);
    return thread;
  }

  @Override
  public String toString() {
    return "NamedThreadFactory{" + prefix + "N" + (daemon ? ", daemon" : "") + '}';
  }
}
