package dev.oomguard.executors.redis;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * One log line per interval for a kind of loss that may happen thousands of times a second: the
 * first occurrence is logged at once, later ones are summed and logged, with their count, at the
 * first {@link #add} or {@link #flush} after the interval. The meters count every one.
 */
final class IntervalLog {
  private final System.Logger log;
  private final Level level;
  private final String what;
  private final long intervalNanos;
  private final LongAdder pending = new LongAdder();
  private final AtomicLong nextLogAt;

  IntervalLog(System.Logger log, Level level, String what, Duration interval) {
    this.log = log;
    this.level = level;
    this.what = what;
    this.intervalNanos = interval.toNanos();
    this.nextLogAt = new AtomicLong(System.nanoTime());
  }

  /** Counts {@code count} occurrences, described by {@code detail} if this one gets logged. */
  void add(long count, String detail) {
    if (count <= 0) {
      return;
    }
    pending.add(count);
    logIfDue(detail);
  }

  /** Logs what was counted since the last line, if the interval has passed. */
  void flush() {
    if (pending.sum() > 0) {
      logIfDue("");
    }
  }

  private void logIfDue(String detail) {
    long now = System.nanoTime();
    long due = nextLogAt.get();
    if (now - due < 0 || !nextLogAt.compareAndSet(due, now + intervalNanos)) {
      return;
    }
    long count = pending.sumThenReset();
    if (count > 0) {
      log.log(
          level,
          what
              + ": "
              + count
              + (count == 1 ? " entry" : " entries")
              + (detail.isEmpty() ? "" : " (last: " + detail + ")")
              + "; logged at most once every "
              + Duration.ofNanos(intervalNanos));
    }
  }
}
