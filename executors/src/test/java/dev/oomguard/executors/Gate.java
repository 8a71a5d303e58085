package dev.oomguard.executors;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A task that holds its worker until opened: the way the tests saturate a pool without sleeping.
 */
final class Gate implements Runnable {
  static final Duration TIMEOUT = Duration.ofSeconds(20);

  private final CountDownLatch started = new CountDownLatch(1);
  private final CountDownLatch open = new CountDownLatch(1);
  private volatile boolean interrupted;

  @Override
  public void run() {
    started.countDown();
    try {
      open.await();
    } catch (InterruptedException e) {
      interrupted = true;
    }
  }

  /** Waits until a worker runs this gate: from then on the worker is busy. */
  void awaitStarted() throws InterruptedException {
    assertThat(started.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS))
        .as("the gate task started")
        .isTrue();
  }

  void open() {
    open.countDown();
  }

  /** Runs this gate on one of the pool's workers and waits until it holds it. */
  void hold(ExecutorService pool) throws InterruptedException {
    pool.execute(this);
    awaitStarted();
  }

  /** Opens the gate, stops the pool, and checks that every worker ended. */
  void openAndStop(ExecutorService pool) throws InterruptedException {
    open();
    pool.shutdownNow();
    assertThat(pool.awaitTermination(TIMEOUT.toSeconds(), TimeUnit.SECONDS))
        .as("the pool terminated")
        .isTrue();
  }

  boolean wasInterrupted() {
    return interrupted;
  }
}
