package dev.oomguard.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Removes idle meters in scope, and gives back reservations whose meter never came. Runs on the
 * thread that registers or reports, one sweeper at a time, at most once per interval.
 *
 * <p>In scope: meters of a name whose tags ever folded (its tags come from data), plus meters whose
 * name starts with a prefix the user named or that carry a tag key the user named. A meter outside
 * that scope is never removed: code registers such meters once and keeps them in fields.
 */
final class ExpirySweep {
  private final SeriesLedger ledger;
  private final GuardMeters meters;

  /** 0 when expiry is off. */
  private final long idleNanos;

  private final long intervalNanos;
  private final List<String> meterNamePrefixes;
  private final Set<String> tagKeys;
  private final AtomicBoolean sweeping = new AtomicBoolean();
  private volatile long nextNanos;

  ExpirySweep(
      SeriesLedger ledger,
      GuardMeters meters,
      long idleNanos,
      List<String> meterNamePrefixes,
      Set<String> tagKeys) {
    this.ledger = ledger;
    this.meters = meters;
    this.idleNanos = idleNanos;
    this.meterNamePrefixes = List.copyOf(meterNamePrefixes);
    this.tagKeys = Set.copyOf(tagKeys);
    long timeout = Folding.RESERVATION_TIMEOUT.toNanos();
    this.intervalNanos = idleNanos > 0 ? Math.max(1, Math.min(idleNanos / 2, timeout)) : timeout;
  }

  void start(long nowNanos) {
    nextNanos = nowNanos + intervalNanos;
  }

  boolean expires() {
    return idleNanos > 0;
  }

  boolean due(long nowNanos) {
    return nowNanos - nextNanos >= 0;
  }

  void sweep(MeterRegistry registry, long nowNanos) {
    if (!sweeping.compareAndSet(false, true)) {
      return;
    }
    try {
      nextNanos = nowNanos + intervalNanos;
      List<Meter> idle = new ArrayList<>();
      ledger.lock.lock();
      try {
        ledger.releaseOlderThan(Folding.RESERVATION_TIMEOUT.toNanos(), nowNanos);
        if (idleNanos > 0) {
          for (TrackedMeter tracked : ledger.live()) {
            if (inScope(tracked) && tracked.idleFor(idleNanos, nowNanos)) {
              idle.add(tracked.meter);
            }
          }
        }
      } finally {
        ledger.lock.unlock();
      }
      // Outside the lock: removal takes the registry's lock, which is held when it calls the
      // ledger.
      for (Meter meter : idle) {
        if (registry.remove(meter) != null) {
          meters.expired();
        }
      }
    } finally {
      sweeping.set(false);
    }
  }

  private boolean inScope(TrackedMeter tracked) {
    Meter.Id id = tracked.meter.getId();
    if (!TrackedMeter.isExpirableType(tracked.meter)
        || id.syntheticAssociation() != null
        || GuardMeters.isOwn(id)) {
      return false;
    }
    if (tracked.name.folded) {
      return true;
    }
    for (String prefix : meterNamePrefixes) {
      if (id.getName().startsWith(prefix)) {
        return true;
      }
    }
    if (!tagKeys.isEmpty()) {
      for (Tag tag : id.getTagsAsIterable()) {
        if (tagKeys.contains(tag.getKey())) {
          return true;
        }
      }
    }
    return false;
  }
}
