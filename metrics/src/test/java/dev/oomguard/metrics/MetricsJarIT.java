package dev.oomguard.metrics;

import dev.oomguard.testsupport.PackagedJarContract;

class MetricsJarIT extends PackagedJarContract {
  MetricsJarIT() {
    super("dev.oomguard.metrics");
  }
}
