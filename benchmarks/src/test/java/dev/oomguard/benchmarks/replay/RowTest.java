package dev.oomguard.benchmarks.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RowTest {
  @Test
  void failedToHold_guardedRunNotAsExpected_isTrue() {
    assertThat(new Row(3, "with", "code", "died of OutOfMemoryError", false).failedToHold())
        .isTrue();
  }

  @Test
  void failedToHold_unguardedRunThatDidNotFail_isFalse() {
    Row row = new Row(3, "without", "code", "finished", false);

    assertThat(row.failedToHold()).isFalse();
    assertThat(row.verdict()).isEqualTo("did not reproduce the incident");
  }

  @Test
  void csv_cellsWithCommasOrQuotes_areQuoted() {
    String csv = Row.csv(List.of(new Row(1, "with", "a \"b\"", "x, y", true)));

    assertThat(csv.lines())
        .containsExactly(
            "incident,run,code,what happened,verdict", "1,with,\"a \"\"b\"\"\",\"x, y\",HELD");
  }

  @Test
  void markdown_cellWithAPipe_isEscaped() {
    String markdown = Row.markdown(List.of(new Row(4, "without", "a|b", "c", true)));

    assertThat(markdown.lines().skip(2))
        .containsExactly("| 4 | without | a\\|b | c | failed, as in the incident |");
  }
}
