package dev.oomguard.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * The values one tag key of one meter name may take: at most {@code cap}, each with the number of
 * live meters that carry it. A value whose last meter goes away frees its slot. Reads are lock
 * free; changes happen under the guard's lock.
 */
final class TagValues {
  final String meterName;
  final String key;
  final int cap;
  /** Value to its slot. Counts change in place, so a registration writes the map only for a new value. */
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

  /** Holds a slot for a value whose meter is about to be registered; true if the slot is new. */
  boolean admit(String value) {
    return values.putIfAbsent(value, new Slot()) == null;
  }

  /** Gives back a slot taken by {@link #admit} whose meter never came. */
  void withdraw(String value) {
    Slot slot = values.get(value);
    if (slot != null && slot.meters == 0) {
      values.remove(value);
    }
  }

  void meterAdded(String value) {
    Slot slot = values.get(value);
    if (slot == null) {
      slot = new Slot();
      values.put(value, slot);
    }
    slot.meters++;
  }

  void meterRemoved(String value) {
    Slot slot = values.get(value);
    if (slot != null && --slot.meters <= 0) {
      values.remove(value);
    }
  }

  /** Live meters carrying a value; 0 while admitted but not yet registered. Read and written under the guard's lock. */
  private static final class Slot {
    int meters;
  }
}
