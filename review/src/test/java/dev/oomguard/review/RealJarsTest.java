package dev.oomguard.review;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The false-positive study: the scanner over widely used libraries that the build resolves. Writes
 * every finding to {@code target/review-real-jars.txt} for reading; the README's precision figures
 * come from reading that file.
 */
class RealJarsTest {
  /** One class from each studied jar. */
  static final List<Class<?>> STUDIED =
      List.of(
          org.springframework.context.ApplicationContext.class,
          org.springframework.core.io.Resource.class,
          org.springframework.beans.BeanWrapper.class,
          org.springframework.aop.Advisor.class,
          org.springframework.expression.Expression.class,
          io.lettuce.core.RedisClient.class,
          io.netty.channel.Channel.class,
          io.netty.buffer.ByteBuf.class,
          io.netty.util.concurrent.EventExecutor.class,
          io.netty.handler.ssl.SslContext.class,
          reactor.core.publisher.Flux.class,
          com.google.common.collect.ImmutableList.class,
          tools.jackson.databind.ObjectMapper.class,
          tools.jackson.core.JsonParser.class,
          io.micrometer.core.instrument.MeterRegistry.class,
          io.micrometer.observation.Observation.class,
          org.HdrHistogram.Histogram.class,
          org.assertj.core.api.Assertions.class,
          net.bytebuddy.ByteBuddy.class);

  static List<Path> studiedJars() {
    List<Path> jars = new ArrayList<>();
    for (Class<?> type : STUDIED) {
      try {
        jars.add(Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()));
      } catch (URISyntaxException e) {
        throw new IllegalStateException(e);
      }
    }
    return jars;
  }

  /** JDK modules with zlib, executors and their own thread pools: real code, always there. */
  static final List<String> JDK_MODULES =
      List.of(
          "java.base",
          "java.desktop",
          "java.net.http",
          "java.management",
          "java.logging",
          "jdk.jartool",
          "jdk.jlink",
          "jdk.httpserver",
          "jdk.compiler",
          "jdk.jfr");

  @Test
  void scan_widelyUsedJars_readsEveryClassAndWritesTheFindingsForReview() throws IOException {
    List<Path> sources = new ArrayList<>(studiedJars());
    FileSystem jrt = FileSystems.getFileSystem(URI.create("jrt:/"));
    for (String module : JDK_MODULES) {
      sources.add(jrt.getPath("/modules", module));
    }
    ReviewScanner scanner = ReviewScanner.allRules();
    Map<Rule, Integer> byRule = new EnumMap<>(Rule.class);
    for (Rule rule : Rule.values()) {
      byRule.put(rule, 0);
    }
    StringBuilder report = new StringBuilder();
    List<String> found = new ArrayList<>();
    int classes = 0;
    List<String> skipped = new ArrayList<>();
    List<String> reviewed = reviewed();
    boolean sameJdk = reviewed.get(0).equals(Runtime.version().toString());
    for (Path source : sources) {
      ReviewScanner.Result result = scanner.scan(List.of(source));
      boolean compared = sameJdk || source.getFileName().toString().endsWith(".jar");
      classes += result.classes();
      skipped.addAll(result.skipped());
      report
          .append("# ")
          .append(source.getFileName())
          .append(": ")
          .append(result.classes())
          .append(" classes, ")
          .append(result.findings().size())
          .append(" findings\n");
      for (Finding f : result.findings()) {
        if (compared) {
          found.add(source.getFileName() + "\t" + f.location() + " [" + f.rule().id() + "]");
        }
        byRule.merge(f.rule(), 1, Integer::sum);
        report
            .append(f.location())
            .append(" [")
            .append(f.rule().id())
            .append("] ")
            .append(f.message())
            .append('\n');
      }
    }
    report
        .append("# classes: ")
        .append(classes)
        .append(", by rule: ")
        .append(byRule)
        .append(", methods skipped: ")
        .append(skipped.size())
        .append('\n');
    skipped.forEach(s -> report.append("# skipped ").append(s).append('\n'));
    Files.writeString(Path.of("target/review-real-jars.txt"), report);

    assertThat(classes).as("classes read").isGreaterThan(20_000);
    assertThat(skipped).as("methods the analysis could not follow").isEmpty();
    assertThat(found)
        .as("findings against the reviewed list (src/test/resources/real-jars-reviewed.txt)")
        .containsExactlyInAnyOrderElementsOf(
            reviewed.subList(1, reviewed.size()).stream()
                .filter(l -> sameJdk || l.substring(0, l.indexOf('\t')).endsWith(".jar"))
                .toList());
  }

  /**
   * The JDK build the list was read on, then the reviewed findings. The JDK modules' entries hold
   * for that build only (their line numbers move between updates): on another JDK only the jars'
   * entries are compared, and the JDK modules are still scanned for errors and skips.
   */
  private static List<String> reviewed() throws IOException {
    List<String> lines;
    try (var in = RealJarsTest.class.getResourceAsStream("/real-jars-reviewed.txt")) {
      lines =
          new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines().toList();
    }
    List<String> result = new ArrayList<>();
    result.add(
        lines.stream().filter(l -> l.startsWith("# jdk ")).findFirst().orElseThrow().substring(6));
    lines.stream()
        .filter(l -> !l.startsWith("#") && !l.isBlank())
        .map(l -> l.substring(0, l.lastIndexOf('\t')))
        .forEach(result::add);
    return result;
  }
}
