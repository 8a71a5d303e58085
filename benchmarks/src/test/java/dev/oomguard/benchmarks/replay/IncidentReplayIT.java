package dev.oomguard.benchmarks.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomguard.testsupport.ModuleConventions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The replay as a user runs it, from the packaged jar, in its quick mode: every incident is
 * reproduced without oomguard, and every guarded run holds.
 */
class IncidentReplayIT {
  @TempDir static Path out;

  private static int exitCode;
  private static String output = "";
  private static List<String> csv = List.of();

  @BeforeAll
  static void runTheReplay() throws IOException, InterruptedException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process process =
        new ProcessBuilder(
                java.toString(),
                "-cp",
                ModuleConventions.packagedJar().toString(),
                IncidentReplay.class.getName(),
                "--quick",
                "--out",
                out.toString())
            .redirectErrorStream(true)
            .start();
    output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(4, TimeUnit.MINUTES)) {
      process.destroyForcibly();
    }
    exitCode = process.exitValue();
    Path table = out.resolve("replay.csv");
    csv = Files.exists(table) ? Files.readAllLines(table, StandardCharsets.UTF_8) : List.of();
  }

  @Test
  void replay_whenEveryGuardedRunHolds_exitsZero() {
    assertThat(exitCode).as(output).isZero();
    assertThat(output).contains("Every guarded run held.");
  }

  @Test
  void replay_guardedRuns_allHold() {
    for (int incident = 1; incident <= 4; incident++) {
      assertThat(csv)
          .as(output)
          .filteredOn(startsWith(incident + ",with,"))
          .singleElement()
          .asString()
          .endsWith(",HELD");
    }
  }

  @Test
  void replay_unguardedRuns_allFailAsInTheIncidents() {
    for (int incident = 1; incident <= 4; incident++) {
      assertThat(csv)
          .as(output)
          .filteredOn(startsWith(incident + ",without,"))
          .singleElement()
          .asString()
          .endsWith(",\"failed, as in the incident\"");
    }
  }

  @Test
  void replay_writesTheSameTableAsMarkdown() throws IOException {
    List<String> markdown = Files.readAllLines(out.resolve("replay.md"), StandardCharsets.UTF_8);

    assertThat(markdown).as(output).hasSize(2 + 8);
    assertThat(markdown.get(0)).isEqualTo("| incident | run | code | what happened | verdict |");
    assertThat(markdown).filteredOn(line -> line.endsWith("| HELD |")).hasSize(4);
  }

  @Test
  void replay_incident3Guarded_accountsForEverySubmittedEvent() {
    assertThat(csv)
        .as(output)
        .filteredOn(startsWith("3,with,"))
        .singleElement()
        .asString()
        .containsPattern(
            "submitted 150,000 = handled [0-9,]+ \\+ left in Redis [0-9,]+ \\+ rejected [0-9,]+ \\+ expired [0-9,]+ \\(");
  }

  private static Predicate<String> startsWith(String prefix) {
    return line -> line.startsWith(prefix);
  }
}
