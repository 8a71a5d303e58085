package dev.oomguard.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CardinalityGuardBuilderTest {
  @Test
  void build_withoutSettings_usesTheDefaults() {
    CardinalityGuard guard = CardinalityGuard.builder().build();

    assertThat(guard.maxTagValues()).isEqualTo(CardinalityGuard.DEFAULT_MAX_TAG_VALUES);
    assertThat(guard.maxSeries()).isEqualTo(CardinalityGuard.DEFAULT_MAX_SERIES);
    assertThat(guard.overflowTagValue()).isEqualTo(CardinalityGuard.DEFAULT_OVERFLOW_TAG_VALUE);
  }

  @Test
  void maxTagValues_belowOne_isRejectedNamingTheValue() {
    assertThatThrownBy(() -> CardinalityGuard.builder().maxTagValues(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxTagValues")
        .hasMessageContaining("0");
  }

  @Test
  void maxTagValuesOverride_belowOne_isRejectedNamingTheKeyAndValue() {
    assertThatThrownBy(() -> CardinalityGuard.builder().maxTagValues("http.", "uri", -3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("uri")
        .hasMessageContaining("-3");
  }

  @Test
  void maxTagValuesOverride_withAnEmptyKey_isRejected() {
    assertThatThrownBy(() -> CardinalityGuard.builder().maxTagValues("http.", "", 5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tagKey for meter name prefix 'http.' must not be empty, was ''");
  }

  @Test
  void maxSeries_belowOne_isRejectedNamingTheValue() {
    assertThatThrownBy(() -> CardinalityGuard.builder().maxSeries(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxSeries")
        .hasMessageContaining("-1");
  }

  @Test
  void overflowTagValue_blank_isRejected() {
    assertThatThrownBy(() -> CardinalityGuard.builder().overflowTagValue(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("overflowTagValue must not be blank, was ' '");
  }

  @Test
  void expireIdleAfter_notPositive_isRejectedNamingTheValue() {
    assertThatThrownBy(() -> CardinalityGuard.builder().expireIdleAfter(Duration.ofSeconds(-5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("PT-5S");
  }

  @Test
  void bindTo_aSecondRegistry_isRejected() {
    CardinalityGuard guard = CardinalityGuard.builder().build();
    guard.bindTo(new SimpleMeterRegistry());

    assertThatThrownBy(() -> guard.bindTo(new SimpleMeterRegistry()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already bound");
  }

  @Test
  void map_beforeBindTo_leavesIdsAlone() {
    CardinalityGuard guard = CardinalityGuard.builder().maxTagValues(1).build();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    registry.config().meterFilter(guard);

    registry.counter("orders", "customer", "a");
    registry.counter("orders", "customer", "b");

    assertThat(registry.find("orders").counters()).hasSize(2);
  }

  @Test
  void build_withAnExpiryScopeButNoIdleTime_isRejectedNamingTheScope() {
    CardinalityGuard.Builder builder = CardinalityGuard.builder().expireIdleMetersNamed("http.");

    assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("[http.]")
        .hasMessageContaining("expireIdleAfter");
  }

  @Test
  void expireIdleMetersTagged_emptyKey_isRejected() {
    assertThatThrownBy(() -> CardinalityGuard.builder().expireIdleMetersTagged(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("expireIdleMetersTagged tagKey must not be empty, was ''");
  }
}
