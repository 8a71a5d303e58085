package dev.oomguard.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * The values one tag key of one meter name may take: at most {@code cap}. Each value has a {@link
 * Slot} that counts the live meters carrying it and the registrations reserved for it; a slot with
 * neither goes away and frees its place. Reads are lock free; changes happen under the {@link
 * SeriesLedger}'s lock.
 */
final class TagValues {
  final String meterName;
  final String key;
  final int cap;
  private final Map<String, Slot> values = new ConcurrentHashMap<>();
  final LongAdder overflows = new LongAdder();
  final AtomicBoolean warned = new AtomicBoolean();

  TagValues(String meterName, String key, int cap) {
    this.meterName = meterName;
    this.key = key;
    this.cap = cap;
  }

  boolean contains(String value) {
    return values.containsKey(value);
  }

  boolean hasRoom() {
    return values.size() < cap;
  }

  int size() {
    return values.size();
  }

  /** True if {@code value} is the only value this key has. */
  boolean isOnly(String value) {
    return values.size() == 1 && values.containsKey(value);
  }

  /** Holds the value's place for a registration; false if it is new and the key has no room. */
  boolean canReserve(String value) {
    return values.containsKey(value) || hasRoom();
  }

  /** Reserves the value's place for a registration (see {@link #canReserve}). */
  Slot reserve(String value) {
    Slot slot = values.computeIfAbsent(value, v -> new Slot(this, v));
    slot.reserved++;
    return slot;
  }

  /**
   * Counts a meter that arrived without a reservation: it exists, so it is counted even past the
   * cap.
   */
  Slot meterArrived(String value) {
    Slot slot = values.computeIfAbsent(value, v -> new Slot(this, v));
    slot.meters++;
    return slot;
  }

  /** One value's place. Its counts change under the ledger's lock. */
  static final class Slot {
    final TagValues key;
    final String value;
    int meters;
    int reserved;

    private Slot(TagValues key, String value) {
      this.key = key;
      this.value = value;
    }

    /** The reserved registration arrived carrying this value. */
    void confirm() {
      reserved--;
      meters++;
    }

    /** The reserved registration did not arrive, or arrived without this value. */
    void release() {
      reserved--;
      dropIfUnused();
    }

    void meterRemoved() {
      meters--;
      dropIfUnused();
    }

    private void dropIfUnused() {
      if (meters <= 0 && reserved <= 0) {
        key.values.remove(value, this);
      }
    }
  }
}
