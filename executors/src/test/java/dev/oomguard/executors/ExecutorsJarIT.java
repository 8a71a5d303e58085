package dev.oomguard.executors;

import dev.oomguard.testsupport.PackagedJarContract;

class ExecutorsJarIT extends PackagedJarContract {
  ExecutorsJarIT() {
    super("dev.oomguard.executors");
  }
}
