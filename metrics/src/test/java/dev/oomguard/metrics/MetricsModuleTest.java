package dev.oomguard.metrics;

import dev.oomguard.testsupport.ModuleWiringContract;

class MetricsModuleTest extends ModuleWiringContract {
  MetricsModuleTest() {
    super("dev.oomguard.metrics");
  }
}
