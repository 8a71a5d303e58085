package dev.oomguard.executors;

import dev.oomguard.testsupport.ModuleWiringContract;

class ExecutorsModuleTest extends ModuleWiringContract {
  ExecutorsModuleTest() {
    super("dev.oomguard.executors");
  }
}
