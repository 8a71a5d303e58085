package dev.oomguard.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.ToIntBiFunction;
import org.jspecify.annotations.Nullable;

/**
 * The one owner of the guard's counts: series in use against the budget, meters and series per
 * meter name, and tag value slots. Every count changes here, under {@link #lock}.
 *
 * <p>A registration goes through these states:
 *
 * <pre>
 *   map()          reserve  -> RESERVED   (series and tag value slots held; this thread's)
 *   configure()    resize   -> RESERVED   (the series of the shape chosen)
 *   meter added    confirm  -> LIVE       (counted from the meter that arrived, whatever later
 *                                          filters made of the id; its slots are the values it
 *                                          really carries)
 *   no meter       release  -> gone       (a later filter denied it or mapped it onto a meter
 *                                          that exists: told by this thread's next lookup, or
 *                                          after RESERVATION_TIMEOUT by any)
 *   meter removed  remove   -> gone       (series and slots given back)
 * </pre>
 *
 * Micrometer runs every filter's {@code map}, then {@code accept}, {@code configure} and the
 * meter-added listeners on the registering thread, the last three under its lock: so the next meter
 * added on the thread that reserved is the one reserved for, and a meter added without a
 * reservation (registered before the guard, synthetic, or after a release) is counted as it is.
 */
// The counts are written only under the lock; volatile so that lookups read them without it. Ids
// are compared by identity before equals: the usual view is the registered id itself.
@SuppressWarnings({"NonAtomicVolatileUpdate", "ReferenceEquality"})
final class SeriesLedger {
  final ReentrantLock lock = new ReentrantLock();
  private final int maxSeries;
  private final String overflowTagValue;
  private final ToIntBiFunction<String, String> capFor;
  private final Map<String, MeterNameState> names = new ConcurrentHashMap<>();

  /** Live meters by their registered id. Under the lock, as every map below. */
  private final Map<Meter.Id, TrackedMeter> live = new HashMap<>();

  /** Live meters by the guard's id, for those whose registered id a later filter rewrote. */
  private final Map<Meter.Id, TrackedMeter> views = new HashMap<>();

  /**
   * Each thread's reservation under way, in a holder so that setting and clearing it writes no map.
   */
  private final ThreadLocal<Pending> pending = ThreadLocal.withInitial(Pending::new);

  /**
   * Reservations not confirmed or released yet (at most one per registering thread), linked through
   * themselves.
   */
  private @Nullable Reservation outstanding;

  /**
   * Volatile so that a lookup sees without the lock that no thread has a reservation to give back.
   */
  private volatile int outstandingCount;

  /** True while the guard binds; see {@link #arrived}. */
  volatile boolean binding = true;

  private volatile long seriesLive;
  private volatile long seriesReserved;

  SeriesLedger(int maxSeries, String overflowTagValue, ToIntBiFunction<String, String> capFor) {
    this.maxSeries = maxSeries;
    this.overflowTagValue = overflowTagValue;
    this.capFor = capFor;
  }

  /** True if a live meter has this registered id or this id from the guard. Under the lock. */
  boolean isKnown(Meter.Id id) {
    return live.containsKey(id) || (!views.isEmpty() && views.containsKey(id));
  }

  /** The live meter with this registered id or this id from the guard, or null. Under the lock. */
  @Nullable TrackedMeter tracked(Meter.Id id) {
    TrackedMeter tracked = live.get(id);
    return tracked != null || views.isEmpty() ? tracked : views.get(id);
  }

  @Nullable MeterNameState nameOrNull(String name) {
    return names.get(name);
  }

  /** Under the lock. */
  MeterNameState name(String name) {
    return names.computeIfAbsent(name, MeterNameState::new);
  }

  TagValues values(MeterNameState name, String key) {
    return name.values(key, capFor);
  }

  /** True if {@code series} more fit the budget. Under the lock. */
  boolean fits(long series) {
    return seriesLive + seriesReserved + series <= maxSeries;
  }

  /** True if {@code reservation}, grown to {@code series}, fits the budget. Under the lock. */
  boolean fitsInstead(Reservation reservation, long series) {
    return seriesLive + seriesReserved - reservation.series + series <= maxSeries;
  }

  /**
   * Holds series and the slots of {@code view}'s tag values for this thread's registration. Under
   * the lock.
   */
  void reserve(Meter.Id view, MeterNameState name, boolean overflow, int series, long nowNanos) {
    TagValues.Slot[] slots = new TagValues.Slot[tagCount(view)];
    int n = 0;
    for (Tag tag : view.getTagsAsIterable()) {
      if (!tag.getValue().equals(overflowTagValue)) {
        slots[n++] = name.values(tag.getKey(), capFor).reserve(tag.getValue());
      }
    }
    Reservation reservation =
        new Reservation(
            view,
            name,
            overflow,
            n == slots.length ? slots : Arrays.copyOf(slots, n),
            series,
            nowNanos);
    link(reservation);
    seriesReserved += series;
    pending.get().reservation = reservation;
  }

  /** This thread's reservation, if its registration is under way. */
  @Nullable Reservation own() {
    Reservation reservation = pending.get().reservation;
    return reservation == null || reservation.done ? null : reservation;
  }

  /** Under the lock. */
  void resize(Reservation reservation, int series) {
    if (!reservation.done) {
      seriesReserved += series - reservation.series;
      reservation.series = series;
    }
  }

  /** Gives back this thread's last reservation: its registration finished and no meter came. */
  void releaseOwn() {
    if (outstandingCount == 0) {
      return;
    }
    Pending own = pending.get();
    Reservation reservation = own.reservation;
    if (reservation != null) {
      own.reservation = null;
      if (!reservation.done) {
        lock.lock();
        try {
          release(reservation);
        } finally {
          lock.unlock();
        }
      }
    }
  }

  /**
   * Gives back reservations older than {@code timeoutNanos}, whichever thread made them. Under the
   * lock.
   */
  void releaseOlderThan(long timeoutNanos, long nowNanos) {
    for (Reservation reservation = outstanding; reservation != null; ) {
      Reservation next = reservation.next;
      if (nowNanos - reservation.sinceNanos >= timeoutNanos) {
        release(reservation);
      }
      reservation = next;
    }
  }

  private void link(Reservation reservation) {
    reservation.next = outstanding;
    if (outstanding != null) {
      outstanding.previous = reservation;
    }
    outstanding = reservation;
    outstandingCount++;
  }

  private void unlink(Reservation reservation) {
    Reservation previous = reservation.previous;
    Reservation next = reservation.next;
    if (previous == null) {
      outstanding = next;
    } else {
      previous.next = next;
    }
    if (next != null) {
      next.previous = previous;
    }
    reservation.previous = null;
    reservation.next = null;
    outstandingCount--;
  }

  private void release(Reservation reservation) {
    if (reservation.done) {
      return;
    }
    reservation.done = true;
    unlink(reservation);
    seriesReserved -= reservation.series;
    for (TagValues.Slot slot : reservation.slots) {
      slot.release();
    }
  }

  /**
   * Counts a meter the registry added, confirming this thread's reservation if it has one.
   *
   * @param configuredCounts true to count a reserved meter by what {@code configure} shaped it to
   *     export rather than by the meter (a composite's meter shows one child's view only)
   * @return the reservation confirmed, or null
   */
  @Nullable Reservation arrived(Meter meter, boolean configuredCounts, long nowNanos) {
    Meter.Id id = meter.getId();
    boolean synthetic = id.syntheticAssociation() != null;
    lock.lock();
    try {
      // A meter can be told twice only while the guard binds: by the listener and by the walk
      // over the meters already there.
      if (binding && live.containsKey(id)) {
        return null;
      }
      Reservation reservation = synthetic ? null : own();
      if (reservation != null) {
        pending.get().reservation = null;
        reservation.done = true;
        unlink(reservation);
        seriesReserved -= reservation.series;
      }
      Meter.Id view;
      MeterNameState name;
      TagValues.Slot[] slots;
      int n = 0;
      if (reservation != null) {
        view = reservation.view;
        name = reservation.name;
        slots = reservation.slots;
        boolean sameId = view == id;
        for (TagValues.Slot slot : reservation.slots) {
          if (sameId || slot.value.equals(id.getTag(slot.key.key))) {
            slot.confirm();
            slots[n++] = slot;
          } else {
            slot.release();
          }
        }
      } else {
        view = id;
        name = name(id.getName());
        slots = new TagValues.Slot[synthetic ? 0 : tagCount(id)];
        if (!synthetic) {
          for (Tag tag : id.getTagsAsIterable()) {
            if (!tag.getValue().equals(overflowTagValue)) {
              slots[n++] = name.values(tag.getKey(), capFor).meterArrived(tag.getValue());
            }
          }
        }
      }
      if (n < slots.length) {
        slots = Arrays.copyOf(slots, n);
      }
      Reservation configured =
          configuredCounts && reservation != null && reservation.configuredSeries > 0
              ? reservation
              : null;
      int series = configured != null ? configured.configuredSeries : Series.of(meter);
      boolean histogram =
          configured != null ? configured.configuredHistogram : Series.hasBuckets(meter);
      boolean overflow = reservation != null ? reservation.overflow : hasOverflowValue(view);
      TrackedMeter tracked =
          new TrackedMeter(meter, view, name, series, histogram, overflow, slots, nowNanos);
      live.put(id, tracked);
      if (view != id && !view.equals(id)) {
        views.put(view, tracked);
      }
      seriesLive += series;
      name.meters++;
      name.series += series;
      if (!synthetic) {
        name.seriesPerMeter = series;
      }
      if (histogram) {
        name.histogramMeters++;
      }
      if (overflow) {
        name.overflowMeters++;
      }
      return reservation;
    } finally {
      lock.unlock();
    }
  }

  /** Gives back the series and slots of a meter the registry removed. */
  void removed(Meter meter) {
    Meter.Id id = meter.getId();
    lock.lock();
    try {
      TrackedMeter tracked = live.remove(id);
      if (tracked == null) {
        return;
      }
      tracked.removed = true;
      if (tracked.view != id && !tracked.view.equals(id)) {
        views.remove(tracked.view, tracked);
      }
      seriesLive -= tracked.series;
      MeterNameState name = tracked.name;
      name.meters--;
      name.series -= tracked.series;
      if (tracked.histogram) {
        name.histogramMeters--;
      }
      if (tracked.overflow) {
        name.overflowMeters--;
      }
      for (TagValues.Slot slot : tracked.slots) {
        slot.meterRemoved();
      }
    } finally {
      lock.unlock();
    }
  }

  /** A thread's reservation under way. */
  private static final class Pending {
    @Nullable Reservation reservation;
  }

  private static int tagCount(Meter.Id id) {
    int count = 0;
    for (Tag ignored : id.getTagsAsIterable()) {
      count++;
    }
    return count;
  }

  boolean hasOverflowValue(Meter.Id id) {
    for (Tag tag : id.getTagsAsIterable()) {
      if (tag.getValue().equals(overflowTagValue)) {
        return true;
      }
    }
    return false;
  }

  /** Series of the meters registered now. */
  long seriesLive() {
    return seriesLive;
  }

  long seriesReserved() {
    return seriesReserved;
  }

  int maxSeries() {
    return maxSeries;
  }

  /** Live meters; under the lock. */
  Collection<TrackedMeter> live() {
    return live.values();
  }

  Collection<MeterNameState> names() {
    return names.values();
  }

  /** Entries the guard holds: live meters, reservations and tag values. */
  int size() {
    lock.lock();
    try {
      int values = 0;
      for (MeterNameState name : names.values()) {
        for (TagValues key : name.keys()) {
          values += key.size();
        }
      }
      return live.size() + outstandingCount + values;
    } finally {
      lock.unlock();
    }
  }
}
