package dev.oomguard.compression;

import dev.oomguard.testsupport.ModuleWiringContract;

class CompressionModuleTest extends ModuleWiringContract {
  CompressionModuleTest() {
    super("dev.oomguard.compression");
  }
}
