package dev.oomguard.benchmarks;

import dev.oomguard.testsupport.ModuleWiringContract;

class BenchmarksModuleTest extends ModuleWiringContract {
  BenchmarksModuleTest() {
    super("dev.oomguard.benchmarks", "dev.oomguard.benchmarks.jmh_generated");
  }
}
