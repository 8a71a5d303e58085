package dev.oomguard.spring.boot;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Whole-process memory: the meters, the sizing check once the application is ready, the health
 * contributor.
 */
@ConfigurationProperties("oomguard.memory")
public class MemoryGuardProperties {
  /**
   * Whether the process and NMT memory meters, the sizing check and the memoryHeadroom health
   * contributor are on.
   */
  private boolean enabled = true;

  /** The memory limit to check against. Default: the container's limit, else the machine's RAM. */
  private @Nullable DataSize limit;

  /**
   * The share of the limit that must stay free: for the sizing verdict to be FITS and for
   * memoryHeadroom to be UP.
   */
  private double minHeadroom =
      0.10; // MemorySizing.DEFAULT_MIN_HEADROOM, written out for the metadata

  /** The status memoryHeadroom reports below min-headroom: OUT_OF_SERVICE, or DOWN. */
  private String healthStatus = "OUT_OF_SERVICE";

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public @Nullable DataSize getLimit() {
    return limit;
  }

  public void setLimit(@Nullable DataSize limit) {
    this.limit = limit;
  }

  public double getMinHeadroom() {
    return minHeadroom;
  }

  public void setMinHeadroom(double minHeadroom) {
    this.minHeadroom = minHeadroom;
  }

  public String getHealthStatus() {
    return healthStatus;
  }

  public void setHealthStatus(String healthStatus) {
    this.healthStatus = healthStatus;
  }
}
