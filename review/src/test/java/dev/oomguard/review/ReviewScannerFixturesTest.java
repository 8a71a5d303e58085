package dev.oomguard.review;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReviewScannerFixturesTest {
  @ParameterizedTest
  @ValueSource(strings = {"Incident1GzipToRedis", "Incident3DeviceEvents", "Incident4RequestTimer"})
  void scan_incidentCode_findsEveryMarkedLineWithItsRuleAndNothingElse(String fixture) {
    List<String> expected = Fixtures.expected(fixture);
    assertThat(expected).as("the fixture marks its lines").isNotEmpty();

    ReviewScanner.Result result = ReviewScanner.allRules().scan(Fixtures.classFiles(fixture));

    assertThat(Fixtures.found(result.findings())).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(result.skipped()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"Incident1Rewrites", "Incident3Rewrites", "Incident4Rewrites"})
  void scan_rewrittenCode_findsNothing(String fixture) {
    assertThat(Fixtures.classFiles(fixture)).isNotEmpty();

    ReviewScanner.Result result = ReviewScanner.allRules().scan(Fixtures.classFiles(fixture));

    assertThat(result.findings()).isEmpty();
    assertThat(result.skipped()).isEmpty();
  }
}
