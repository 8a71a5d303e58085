package dev.oomguard.metrics.memory;

import java.lang.System.Logger.Level;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Runs the NMT command at most once per interval, however many gauges and scrapes ask: a scrape
 * reads a few dozen gauges, and each would otherwise run the command. A failed run is cached as an
 * empty summary for the interval too, so that a failing command is not retried per gauge.
 */
final class NmtSampler {
  private static final System.Logger LOG = System.getLogger(NativeMemoryMetrics.class.getName());

  private final Supplier<String> command;
  private final LongSupplier nanoTime;
  private final long intervalNanos;
  private @Nullable NmtSummary last;
  private long lastAt;
  private boolean toldFailure;

  NmtSampler(Supplier<String> command, LongSupplier nanoTime, long intervalNanos) {
    this.command = command;
    this.nanoTime = nanoTime;
    this.intervalNanos = intervalNanos;
  }

  /** Caches a summary the caller has just read, as if this sampler had run the command now. */
  synchronized void seed(NmtSummary summary) {
    last = summary;
    lastAt = nanoTime.getAsLong();
  }

  synchronized NmtSummary summary() {
    long now = nanoTime.getAsLong();
    NmtSummary cached = last;
    if (cached != null && now - lastAt < intervalNanos) {
      return cached;
    }
    NmtSummary fresh;
    try {
      fresh = NmtSummary.parse(command.get());
    } catch (RuntimeException e) {
      if (!toldFailure) {
        toldFailure = true;
        LOG.log(
            Level.WARNING,
            "reading native memory tracking failed; the NMT meters read NaN until it works",
            e);
      }
      fresh = NmtSummary.EMPTY;
    }
    last = fresh;
    lastAt = now;
    return fresh;
  }
}
