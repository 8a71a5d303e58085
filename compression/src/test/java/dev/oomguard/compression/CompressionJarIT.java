package dev.oomguard.compression;

import dev.oomguard.testsupport.PackagedJarContract;

class CompressionJarIT extends PackagedJarContract {
  CompressionJarIT() {
    super("dev.oomguard.compression");
  }
}
