package dev.oomguard.spring.boot;

import dev.oomguard.metrics.CardinalityGuard;
import dev.oomguard.metrics.CardinalityReport;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The {@link CardinalityGuard} and the one registry it is bound to. It is this holder, not the
 * guard, that is a bean: Boot applies every {@code MeterFilter} bean to every registry and binds
 * every {@code MeterBinder} bean, and a guard serves one registry only.
 */
public final class CardinalityGuardBinding {
  private final CardinalityGuard guard;
  private volatile @Nullable MeterRegistry registry;

  public CardinalityGuardBinding(CardinalityGuard guard) {
    this.guard = Objects.requireNonNull(guard, "guard");
  }

  public CardinalityGuard guard() {
    return guard;
  }

  /** The registry the guard is bound to; empty until Boot has created it. */
  public Optional<MeterRegistry> registry() {
    return Optional.ofNullable(registry);
  }

  public CardinalityReport report() {
    return guard.report();
  }

  synchronized void bindTo(MeterRegistry target) {
    if (registry == target) {
      return;
    }
    guard.bindTo(target);
    registry = target;
  }
}
