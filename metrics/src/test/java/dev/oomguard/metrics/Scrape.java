package dev.oomguard.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;

/** A Prometheus text scrape, read the way Prometheus reads it: one series per sample line. */
final class Scrape {
  private final List<String> samples;

  private Scrape(List<String> samples) {
    this.samples = samples;
  }

  static Scrape of(PrometheusMeterRegistry registry) {
    return new Scrape(
        registry
            .scrape()
            .lines()
            .filter(line -> !line.isBlank() && !line.startsWith("#"))
            .toList());
  }

  int series() {
    return samples.size();
  }

  /**
   * Samples of one metric (the name before the labels), e.g. {@code
   * http_server_requests_seconds_count}.
   */
  List<String> samples(String metric) {
    return samples.stream()
        .filter(line -> line.startsWith(metric + "{") || line.startsWith(metric + " "))
        .toList();
  }

  /**
   * Series whose name starts with {@code prefix}, with any suffix ({@code _bucket}, {@code _count},
   * ...).
   */
  long seriesOf(String prefix) {
    return samples.stream().filter(line -> line.startsWith(prefix)).count();
  }

  double sum(String metric) {
    return samples(metric).stream()
        .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
        .sum();
  }
}
