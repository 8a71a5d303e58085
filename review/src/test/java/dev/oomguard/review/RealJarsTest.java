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
 * The false-positive study: the scanner over widely used libraries that the build resolves.
 * Writes every finding to {@code target/review-real-jars.txt} for reading; the README's
 * precision figures come from reading that file.
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
      List.of("java.base", "java.desktop", "java.net.http", "java.management", "java.logging",
          "jdk.jartool", "jdk.jlink", "jdk.httpserver", "jdk.compiler", "jdk.jfr");

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
    int classes = 0;
    List<String> skipped = new ArrayList<>();
    for (Path source : sources) {
      ReviewScanner.Result result = scanner.scan(List.of(source));
      classes += result.classes();
      skipped.addAll(result.skipped());
      report.append("# ").append(source.getFileName()).append(": ").append(result.classes())
          .append(" classes, ").append(result.findings().size()).append(" findings\n");
      for (Finding f : result.findings()) {
        byRule.merge(f.rule(), 1, Integer::sum);
        report.append(f.location()).append(" [").append(f.rule().id()).append("] ")
            .append(f.message()).append('\n');
      }
    }
    report.append("# classes: ").append(classes).append(", by rule: ").append(byRule)
        .append(", methods skipped: ").append(skipped.size()).append('\n');
    skipped.forEach(s -> report.append("# skipped ").append(s).append('\n'));
    Files.writeString(Path.of("target/review-real-jars.txt"), report);

    assertThat(classes).as("classes read").isGreaterThan(20_000);
    assertThat(skipped).as("methods the analysis could not follow").isEmpty();
  }
}
