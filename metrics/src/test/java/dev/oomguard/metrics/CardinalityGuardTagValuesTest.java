package dev.oomguard.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CardinalityGuardTagValuesTest {
  private final MeterRegistry registry = new SimpleMeterRegistry();
  private final List<CardinalityEvent> events = new ArrayList<>();
  private final List<LogRecord> warnings = new ArrayList<>();
  private final Logger log = Logger.getLogger(CardinalityGuard.class.getName());
  private final Handler handler =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
            warnings.add(record);
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  CardinalityGuardTagValuesTest() {
    log.addHandler(handler);
  }

  @AfterEach
  void removeHandler() {
    log.removeHandler(handler);
  }

  private CardinalityGuard.Builder guard() {
    return CardinalityGuard.builder().listener(events::add);
  }

  @Test
  void map_pastTheCap_foldsIntoTheOverflowValue() {
    guard().maxTagValues(3).build().bindTo(registry);

    for (int i = 0; i < 10; i++) {
      registry.counter("orders", "customer", "c" + i).increment();
    }

    assertThat(values("orders", "customer"))
        .containsExactlyInAnyOrder("c0", "c1", "c2", "OVERFLOW");
  }

  @Test
  void map_pastTheCap_keepsTheTotalExact() {
    guard().maxTagValues(3).build().bindTo(registry);

    for (int i = 0; i < 10; i++) {
      registry.counter("orders", "customer", "c" + i).increment(i + 1);
    }

    assertThat(registry.find("orders").counters().stream().mapToDouble(Counter::count).sum())
        .isEqualTo(55.0);
    assertThat(registry.get("orders").tag("customer", "OVERFLOW").counter().count())
        .isEqualTo(4 + 5 + 6 + 7 + 8 + 9 + 10);
  }

  @Test
  void map_capsEachTagKeyOfEachMeterNameApart() {
    guard().maxTagValues(2).build().bindTo(registry);

    for (int i = 0; i < 5; i++) {
      registry.counter("a", "k1", "v" + i, "k2", "w" + i).increment();
      registry.counter("b", "k1", "v" + i).increment();
    }

    assertThat(values("a", "k1")).containsExactlyInAnyOrder("v0", "v1", "OVERFLOW");
    assertThat(values("a", "k2")).containsExactlyInAnyOrder("w0", "w1", "OVERFLOW");
    assertThat(values("b", "k1")).containsExactlyInAnyOrder("v0", "v1", "OVERFLOW");
  }

  @Test
  void maxTagValues_withPrefixOverride_appliesTheLongestMatchingPrefix() {
    guard()
        .maxTagValues(2)
        .maxTagValues("http.", "uri", 4)
        .maxTagValues("http.client.", "uri", 6)
        .build()
        .bindTo(registry);

    for (int i = 0; i < 10; i++) {
      registry.counter("http.server.requests", "uri", "/" + i).increment();
      registry.counter("http.client.requests", "uri", "/" + i).increment();
      registry.counter("http.server.requests.other", "status", "" + i).increment();
      registry.counter("jobs", "uri", "/" + i).increment();
    }

    assertThat(values("http.server.requests", "uri")).hasSize(4 + 1);
    assertThat(values("http.client.requests", "uri")).hasSize(6 + 1);
    assertThat(values("http.server.requests.other", "status")).hasSize(2 + 1);
    assertThat(values("jobs", "uri")).hasSize(2 + 1);
  }

  @Test
  void map_atTheCap_keepsValuesAlreadyAdmitted() {
    guard().maxTagValues(2).build().bindTo(registry);
    Counter first = registry.counter("orders", "customer", "a");
    registry.counter("orders", "customer", "b");
    registry.counter("orders", "customer", "c");

    assertThat(registry.counter("orders", "customer", "a")).isSameAs(first);
  }

  @Test
  void overflowTagValue_isTheValueExcessFoldsInto() {
    guard().maxTagValues(1).overflowTagValue("other").build().bindTo(registry);

    registry.counter("orders", "customer", "a").increment();
    registry.counter("orders", "customer", "b").increment();

    assertThat(values("orders", "customer")).containsExactlyInAnyOrder("a", "other");
  }

  @Test
  void map_firstOverflowOfAKey_logsOneWarningNamingIt() {
    guard().maxTagValues(1).build().bindTo(registry);

    for (int i = 0; i < 50; i++) {
      registry.counter("orders", "customer", "c" + i).increment();
    }

    assertThat(warnings)
        .singleElement()
        .extracting(LogRecord::getMessage)
        .asString()
        .contains("'orders'", "'customer'", "cap of 1", "OVERFLOW");
  }

  @Test
  void listener_isToldOncePerMeterNameAndTagKey() {
    guard().maxTagValues(1).build().bindTo(registry);

    for (int i = 0; i < 20; i++) {
      registry.counter("orders", "customer", "c" + i, "region", "r" + i).increment();
      registry.counter("refunds", "customer", "c" + i).increment();
    }

    assertThat(events)
        .containsExactlyInAnyOrder(
            new CardinalityEvent(CardinalityEvent.Kind.TAG_VALUES, "orders", "customer"),
            new CardinalityEvent(CardinalityEvent.Kind.TAG_VALUES, "orders", "region"),
            new CardinalityEvent(CardinalityEvent.Kind.TAG_VALUES, "refunds", "customer"));
  }

  @Test
  void listener_thatThrows_doesNotBreakRegistration() {
    CardinalityGuard.builder()
        .maxTagValues(1)
        .listener(
            event -> {
              throw new IllegalStateException("listener bug");
            })
        .build()
        .bindTo(registry);

    registry.counter("orders", "customer", "a").increment();
    registry.counter("orders", "customer", "b").increment();

    assertThat(registry.get("orders").tag("customer", "OVERFLOW").counter().count()).isEqualTo(1.0);
  }

  @Test
  void remove_ofAMeter_freesItsTagValueSlot() {
    guard().maxTagValues(1).build().bindTo(registry);
    Counter a = registry.counter("orders", "customer", "a");

    registry.remove(a);
    registry.counter("orders", "customer", "b").increment();

    assertThat(values("orders", "customer")).containsExactly("b");
  }

  @Test
  void overflows_countEveryFoldedRegistration() {
    CardinalityGuard guard = guard().maxTagValues(1).build();
    guard.bindTo(registry);

    for (int i = 0; i < 7; i++) {
      registry.counter("orders", "customer", "c" + i);
    }

    assertThat(
            registry
                .get(CardinalityGuard.OVERFLOWS)
                .tag("limit", "tag.values")
                .functionCounter()
                .count())
        .isEqualTo(6.0);
  }

  private Set<String> values(String name, String key) {
    return registry.find(name).meters().stream()
        .map(Meter::getId)
        .map(id -> id.getTag(key))
        .collect(Collectors.toSet());
  }

  @Test
  void lookupPastTheCap_withOtherTagsVarying_landsOnTheOverflowMeterOfItsOwnTags() {
    SimpleMeterRegistry simple = new SimpleMeterRegistry();
    CardinalityGuard.builder().maxTagValues("logins", "user", 1).build().bindTo(simple);
    simple.counter("logins", "user", "a", "region", "eu");
    simple.counter("logins", "user", "a", "region", "us");

    for (int i = 0; i < 10; i++) {
      simple.counter("logins", "user", "u" + i, "region", i % 2 == 0 ? "eu" : "us").increment();
    }

    assertThat(simple.get("logins").tags("user", "OVERFLOW", "region", "eu").counter().count())
        .isEqualTo(5.0);
    assertThat(simple.get("logins").tags("user", "OVERFLOW", "region", "us").counter().count())
        .isEqualTo(5.0);
  }

  @Test
  void lookupPastTheCap_afterItsOverflowMeterWasRemoved_registersItAgain() {
    SimpleMeterRegistry simple = new SimpleMeterRegistry();
    CardinalityGuard.builder().maxTagValues(1).build().bindTo(simple);
    simple.counter("logins", "user", "a");
    simple.counter("logins", "user", "b").increment();
    simple.counter("logins", "user", "c").increment();
    simple.remove(simple.get("logins").tag("user", "OVERFLOW").counter());

    simple.counter("logins", "user", "d").increment();

    assertThat(simple.get("logins").tag("user", "OVERFLOW").counter().count()).isEqualTo(1.0);
  }
}
