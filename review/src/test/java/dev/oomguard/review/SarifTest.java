package dev.oomguard.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.contrastsecurity.sarif.Location;
import com.contrastsecurity.sarif.LogicalLocation;
import com.contrastsecurity.sarif.ReportingConfiguration;
import com.contrastsecurity.sarif.ReportingDescriptor;
import com.contrastsecurity.sarif.Result;
import com.contrastsecurity.sarif.Run;
import com.contrastsecurity.sarif.SarifSchema210;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SARIF written by the command line, read back with a SARIF library. */
class SarifTest {
  @TempDir Path dir;

  private SarifSchema210 scanToSarif(String... fixtures) throws IOException {
    Path sarif = dir.resolve("out.sarif");
    String[] args = new String[fixtures.length + 2];
    for (int i = 0; i < fixtures.length; i++) {
      args[i] = MainTest.classFile(fixtures[i]);
    }
    args[fixtures.length] = "--sarif";
    args[fixtures.length + 1] = sarif.toString();
    PrintStream quiet =
        new PrintStream(PrintStream.nullOutputStream(), true, StandardCharsets.UTF_8);
    Main.run(args, quiet, quiet);
    return new ObjectMapper().readValue(sarif.toFile(), SarifSchema210.class);
  }

  @Test
  void sarif_header_isVersion210WithOneRunOfThisTool() throws IOException {
    SarifSchema210 log = scanToSarif("Incident1GzipToRedis");

    assertThat(log.getVersion()).isEqualTo(SarifSchema210.Version._2_1_0);
    assertThat(log.get$schema()).hasToString(Sarif.SCHEMA);
    assertThat(log.getRuns()).hasSize(1);
    assertThat(log.getRuns().get(0).getTool().getDriver().getName()).isEqualTo("oomguard-review");
  }

  @Test
  void sarif_rules_areEveryRuleWithItsDescriptionsAndErrorLevel() throws IOException {
    Run run = scanToSarif("Incident1GzipToRedis").getRuns().get(0);

    Set<ReportingDescriptor> rules = run.getTool().getDriver().getRules();
    assertThat(rules)
        .extracting(ReportingDescriptor::getId)
        .containsExactlyInAnyOrder(
            "oomguard-unbounded-executor",
            "oomguard-native-handle-not-ended",
            "oomguard-histogram-tag-from-data");
    for (ReportingDescriptor descriptor : rules) {
      Rule rule =
          Arrays.stream(Rule.values())
              .filter(r -> r.id().equals(descriptor.getId()))
              .findFirst()
              .orElseThrow();
      assertThat(descriptor.getName()).isNotBlank();
      assertThat(descriptor.getShortDescription().getText()).isEqualTo(rule.title());
      assertThat(descriptor.getFullDescription().getText()).contains(rule.incident());
      assertThat(descriptor.getHelp().getText()).contains(rule.fix());
      assertThat(descriptor.getDefaultConfiguration().getLevel())
          .isEqualTo(ReportingConfiguration.Level.ERROR);
    }
  }

  @Test
  void sarif_results_carryRuleIdIndexLevelMessageAndBothLocations() throws IOException {
    Run run = scanToSarif("Incident1GzipToRedis", "Incident4RequestTimer").getRuns().get(0);

    List<Result> results = run.getResults();
    assertThat(results).hasSize(11);
    Result save = results.get(0);
    assertThat(save.getRuleId()).isEqualTo("oomguard-native-handle-not-ended");
    assertThat(save.getRuleIndex()).isEqualTo(1);
    assertThat(save.getLevel()).isEqualTo(Result.Level.ERROR);
    assertThat(save.getMessage().getText())
        .isEqualTo(
            "new GZIPOutputStream is left without close() when Incident1GzipToRedis$Redis.set()"
                + " (Incident1GzipToRedis.java:38) throws. Fix: "
                + Rule.NATIVE_HANDLE_NOT_ENDED.fix()
                + ".");
    Location location = save.getLocations().get(0);
    assertThat(location.getPhysicalLocation().getArtifactLocation().getUri())
        .isEqualTo("dev/oomguard/review/fixtures/Incident1GzipToRedis.java");
    assertThat(location.getPhysicalLocation().getRegion().getStartLine()).isEqualTo(35);
    assertThat(location.getLogicalLocations())
        .extracting(LogicalLocation::getFullyQualifiedName)
        .containsExactly("dev.oomguard.review.fixtures.Incident1GzipToRedis.save");
    assertThat(location.getLogicalLocations())
        .extracting(LogicalLocation::getKind)
        .containsExactly("function");

    Result timer = results.get(8);
    assertThat(timer.getRuleId()).isEqualTo("oomguard-histogram-tag-from-data");
    assertThat(timer.getRuleIndex()).isEqualTo(2);
    assertThat(timer.getLocations().get(0).getPhysicalLocation().getRegion().getStartLine())
        .isEqualTo(25);
    assertThat(timer.getMessage().getText()).startsWith("Tag \"uri\" takes its value from data");
  }

  @Test
  void sarif_noFindings_isAValidRunWithNoResults() throws IOException {
    Run run = scanToSarif("Incident3Rewrites").getRuns().get(0);

    assertThat(run.getResults()).isEmpty();
    assertThat(run.getTool().getDriver().getRules()).hasSize(Rule.values().length);
  }

  @Test
  void write_classWithoutDebugInformation_omitsThePhysicalLocationButKeepsTheLogicalOne()
      throws IOException {
    Finding bare = new Finding(Rule.UNBOUNDED_EXECUTOR, "Bare", "run", "()V", "", 0, "m");
    StringWriter json = new StringWriter();
    Sarif.write(List.of(bare), "1", json);

    SarifSchema210 log = new ObjectMapper().readValue(json.toString(), SarifSchema210.class);

    Location location = log.getRuns().get(0).getResults().get(0).getLocations().get(0);
    assertThat(location.getPhysicalLocation()).isNull();
    assertThat(location.getLogicalLocations())
        .extracting(LogicalLocation::getFullyQualifiedName)
        .containsExactly("Bare.run");
  }

  @Test
  void write_messageWithQuotesBackslashesAndControlCharacters_readsBackUnchanged()
      throws IOException {
    String nasty = "a \"quoted\" C:\\path\nnew line\ttab \u0001 é";
    Finding odd = new Finding(Rule.UNBOUNDED_EXECUTOR, "Odd", "run", "()V", "Odd.java", 3, nasty);
    StringWriter json = new StringWriter();
    Sarif.write(List.of(odd), "1", json);

    SarifSchema210 log = new ObjectMapper().readValue(json.toString(), SarifSchema210.class);

    assertThat(log.getRuns().get(0).getResults().get(0).getMessage().getText())
        .startsWith(nasty + " Fix: ");
  }
}
