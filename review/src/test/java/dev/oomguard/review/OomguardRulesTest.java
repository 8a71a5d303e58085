package dev.oomguard.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.ArchConfiguration;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import com.tngtech.archunit.library.freeze.FreezingArchRule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OomguardRulesTest {
  private static final String FIXTURES = "dev.oomguard.review.fixtures";

  @TempDir Path store;
  @TempDir Path generatedClasses;

  private static JavaClasses fixtures(String... simpleNames) {
    List<Path> files =
        java.util.Arrays.stream(simpleNames).flatMap(n -> Fixtures.classFiles(n).stream()).toList();
    return new ClassFileImporter().importPaths(files);
  }

  @Test
  void unboundedExecutors_incidentCode_failsWithLocationIncidentAndFix() {
    JavaClasses classes = fixtures("Incident3DeviceEvents");

    assertThatThrownBy(() -> OomguardRules.UNBOUNDED_EXECUTORS.check(classes))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("was violated (9 times)")
        .hasMessageContaining(
            FIXTURES
                + ".Incident3DeviceEvents.<init>(Incident3DeviceEvents.java:18)"
                + " [oomguard-unbounded-executor] Executors.newFixedThreadPool")
        .hasMessageContaining("incident 3")
        .hasMessageContaining("Fix: BoundedExecutors.newFixedThreadPool");
  }

  @Test
  void nativeHandles_incidentCode_failsOncePerFinding() {
    EvaluationResult result =
        OomguardRules.NATIVE_HANDLES_NOT_ENDED.evaluate(fixtures("Incident1GzipToRedis"));

    assertThat(result.getFailureReport().getDetails())
        .hasSize(8)
        .anySatisfy(
            d -> assertThat(d).contains("Incident1GzipToRedis.save(Incident1GzipToRedis.java:35)"));
  }

  @Test
  void histogramTags_incidentCode_fails() {
    EvaluationResult result =
        OomguardRules.HISTOGRAM_TAGS_FROM_DATA.evaluate(fixtures("Incident4RequestTimer"));

    assertThat(result.getFailureReport().getDetails()).hasSize(3);
  }

  @Test
  void eachRule_seesOnlyItsOwnFindings() {
    JavaClasses executorsOnly = fixtures("Incident3DeviceEvents");

    assertThat(OomguardRules.NATIVE_HANDLES_NOT_ENDED.evaluate(executorsOnly).hasViolation())
        .isFalse();
    assertThat(OomguardRules.HISTOGRAM_TAGS_FROM_DATA.evaluate(executorsOnly).hasViolation())
        .isFalse();
  }

  @Test
  void all_everyIncident_failsWithEveryFinding() {
    EvaluationResult result =
        OomguardRules.ALL.evaluate(
            fixtures("Incident1GzipToRedis", "Incident3DeviceEvents", "Incident4RequestTimer"));

    assertThat(result.getFailureReport().getDetails()).hasSize(8 + 9 + 3);
  }

  @Test
  void all_rewrites_passes() {
    OomguardRules.ALL.check(
        fixtures("Incident1Rewrites", "Incident3Rewrites", "Incident4Rewrites"));
  }

  @Test
  void freeze_existingViolations_passThenANewOneFails() throws IOException {
    ArchRule frozen = freezing(OomguardRules.ALL);

    // First run records the incident's violations and passes: adoption on a codebase with debt.
    frozen.check(fixtures("Incident3DeviceEvents"));
    assertThat(Files.list(store)).isNotEmpty();
    // Same code again: still passes.
    freezing(OomguardRules.ALL).check(fixtures("Incident3DeviceEvents"));

    // New code with the same anti-pattern: fails, naming only the new violation.
    assertThatThrownBy(
            () ->
                freezing(OomguardRules.ALL)
                    .check(fixtures("Incident3DeviceEvents", "Incident1GzipToRedis")))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("Incident1GzipToRedis.save")
        .hasMessageNotContaining("Incident3DeviceEvents.<init>");
  }

  @Test
  void freeze_violationMovedToAnotherLine_staysFrozen() throws IOException {
    JavaClasses before = generated("v1", 7, 1);
    freezing(OomguardRules.UNBOUNDED_EXECUTORS).check(before);

    // Lines inserted above it: the same violation, now at line 30.
    freezing(OomguardRules.UNBOUNDED_EXECUTORS).check(generated("v2", 30, 1));

    // A second method with the same call: new, so it fails.
    assertThatThrownBy(
            () -> freezing(OomguardRules.UNBOUNDED_EXECUTORS).check(generated("v3", 30, 2)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("gen.Pools.run1(Pools.java:40)")
        .hasMessageNotContaining("gen.Pools.run(Pools.java:30)");
  }

  private JavaClasses generated(String version, int line, int methods) throws IOException {
    Path classes = Files.createDirectories(generatedClasses.resolve(version).resolve("gen"));
    Files.write(
        classes.resolve("Pools.class"),
        ReviewScannerBytecodeTest.callingExecutors(
            "newCachedThreadPool",
            "()Ljava/util/concurrent/ExecutorService;",
            true,
            line,
            methods));
    return new ClassFileImporter().importPath(classes.resolve("Pools.class"));
  }

  private ArchRule freezing(ArchRule rule) {
    ArchConfiguration config = ArchConfiguration.get();
    config.setProperty("freeze.store.default.path", store.toString());
    config.setProperty("freeze.store.default.allowStoreCreation", "true");
    return FreezingArchRule.freeze(rule);
  }

  @AfterEach
  void resetArchUnitConfiguration() {
    ArchConfiguration.get().reset();
  }
}
