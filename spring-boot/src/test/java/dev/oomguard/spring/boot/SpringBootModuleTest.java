package dev.oomguard.spring.boot;

import dev.oomguard.testsupport.ModuleWiringContract;

class SpringBootModuleTest extends ModuleWiringContract {
  SpringBootModuleTest() {
    super("dev.oomguard.spring.boot");
  }
}
