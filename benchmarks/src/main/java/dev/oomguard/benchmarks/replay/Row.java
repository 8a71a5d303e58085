package dev.oomguard.benchmarks.replay;

import java.util.List;
import java.util.Locale;

/**
 * One run of the replay: an incident, {@code without} (the incident's code) or {@code with}
 * (oomguard), what happened, and whether that is what the run is for: a guarded run must hold, an
 * unguarded one is expected to fail as the incident did.
 */
record Row(int incident, String run, String code, String outcome, boolean asExpected) {
  static final List<String> COLUMNS =
      List.of("incident", "run", "code", "what happened", "verdict");

  boolean guarded() {
    return run.equals("with");
  }

  /** A guarded run that did not hold: the replay fails. */
  boolean failedToHold() {
    return guarded() && !asExpected;
  }

  String verdict() {
    if (guarded()) {
      return asExpected ? "HELD" : "FAILED TO HOLD";
    }
    return asExpected ? "failed, as in the incident" : "did not reproduce the incident";
  }

  List<String> cells() {
    return List.of(String.valueOf(incident), run, code, outcome, verdict());
  }

  static String markdown(List<Row> rows) {
    StringBuilder text = new StringBuilder("| " + String.join(" | ", COLUMNS) + " |\n");
    text.append("|---:|---|---|---|---|\n");
    for (Row row : rows) {
      text.append("| ")
          .append(
              String.join(
                  " | ", row.cells().stream().map(cell -> cell.replace("|", "\\|")).toList()))
          .append(" |\n");
    }
    return text.toString();
  }

  static String csv(List<Row> rows) {
    StringBuilder text = new StringBuilder(String.join(",", COLUMNS)).append('\n');
    for (Row row : rows) {
      text.append(String.join(",", row.cells().stream().map(Row::csvCell).toList())).append('\n');
    }
    return text.toString();
  }

  /** A readable table for a terminal: the cells of a row, one under another, wrapped at width. */
  static String text(List<Row> rows) {
    StringBuilder text = new StringBuilder();
    for (Row row : rows) {
      text.append(String.format(Locale.ROOT, "%d %-7s %s%n", row.incident, row.run, row.code));
      text.append("          ").append(row.outcome).append('\n');
      text.append("          => ").append(row.verdict()).append("\n\n");
    }
    return text.toString();
  }

  private static String csvCell(String cell) {
    return cell.matches(".*[\",\n].*") ? '"' + cell.replace("\"", "\"\"") + '"' : cell;
  }
}
