package dev.oomguard.benchmarks.replay;

import dev.oomguard.metrics.CardinalityGuard;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Incident 4: {@code TagWorkload MODE URIS} records one request for each of URIS distinct paths on
 * a timer tagged with the raw path and a percentile histogram, then scrapes the Prometheus
 * registry. MODE {@code without} (the plain registry, as in the incident) or {@code with} (the same
 * registry with {@code CardinalityGuard.builder().build()} bound, its defaults). Prints the series
 * and bytes of the scrape, and the requests its {@code _count} series add up to.
 */
final class TagWorkload {
  private TagWorkload() {}

  public static void main(String[] args) {
    String mode = args[0];
    int uris = Integer.parseInt(args[1]);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    switch (mode) {
      case "without" -> {}
      case "with" -> CardinalityGuard.builder().build().bindTo(registry);
      default -> throw new IllegalArgumentException("mode must be without or with, was " + mode);
    }
    long start = System.nanoTime();
    for (int i = 0; i < uris; i++) {
      Timer.builder("http.server.requests")
          .tags("method", "GET", "uri", "/items/" + i)
          .publishPercentileHistogram()
          .register(registry)
          .record(Duration.ofMillis(5));
    }
    String scrape = registry.scrape();
    Probe.print("millis", (System.nanoTime() - start) / 1_000_000);
    long series = 0;
    double requests = 0;
    for (String line : scrape.lines().toList()) {
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      series++;
      if (line.startsWith("http_server_requests_seconds_count")) {
        requests += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    Probe.print("uris", uris);
    Probe.print("series", series);
    Probe.print("scrapeBytes", scrape.getBytes(StandardCharsets.UTF_8).length);
    Probe.print("requestsCounted", (long) requests);
    Probe.print("meters", registry.getMeters().size());
  }
}
