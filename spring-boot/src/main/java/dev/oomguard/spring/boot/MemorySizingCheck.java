package dev.oomguard.spring.boot;

import dev.oomguard.metrics.memory.MemorySizing;
import org.springframework.util.unit.DataSize;

/** {@link MemorySizing} with {@code oomguard.memory.limit} and {@code min-headroom} applied. */
public final class MemorySizingCheck {
  private final MemoryGuardProperties properties;

  MemorySizingCheck(MemoryGuardProperties properties) {
    this.properties = properties;
    builder(); // a bad min-headroom or limit fails the start-up, not the first check
  }

  /** This JVM against its limit, now. */
  public MemorySizing.Report inspect() {
    return builder().inspect();
  }

  private MemorySizing.Builder builder() {
    MemorySizing.Builder builder = MemorySizing.builder().minHeadroom(properties.getMinHeadroom());
    DataSize limit = properties.getLimit();
    if (limit != null) {
      builder.memoryLimit(limit.toBytes());
    }
    return builder;
  }
}
