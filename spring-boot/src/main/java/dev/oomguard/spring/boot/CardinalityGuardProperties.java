package dev.oomguard.spring.boot;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** The {@code CardinalityGuard} on the meter registry that Boot's meters are recorded through. */
@ConfigurationProperties("oomguard.metrics.cardinality")
public class CardinalityGuardProperties {
  /** Whether a CardinalityGuard is bound to Boot's meter registry. */
  private boolean enabled = true;

  /**
   * Distinct values per meter name and tag key; further values are recorded under the overflow
   * value.
   */
  private int maxTagValues = 100; // the guard's defaults, written out for the metadata

  /** Caps for a tag key of the meters whose name starts with a prefix, over max-tag-values. */
  private List<TagValuesCap> overrides = new ArrayList<>();

  /**
   * Registry-wide budget, in exported series as a Prometheus scrape counts them (a timer with a
   * percentile histogram is 72).
   */
  private int maxSeries = 10_000;

  /** The tag value that excess values are folded into. */
  private String overflowTagValue = "OVERFLOW";

  /**
   * Counters, timers and distribution summaries in scope unused for this long are removed. In scope
   * by default: meters of names whose tags ever folded into the overflow value. Default: never.
   */
  private @Nullable Duration expireIdleAfter;

  /**
   * Meter name prefixes whose idle meters expire too ("" for every meter); needs expire-idle-after.
   */
  private List<String> expireIdleMetersNamed = new ArrayList<>();

  /** Tag keys whose meters expire too when idle; needs expire-idle-after. */
  private List<String> expireIdleMetersTagged = new ArrayList<>();

  /** A cap for one tag key of the meters whose name starts with a prefix. */
  public static class TagValuesCap {
    /** The meter name prefix, e.g. http.server.requests. */
    private String meterNamePrefix = "";

    /** The tag key, e.g. uri. */
    private String tagKey = "";

    /** Distinct values of the tag key. */
    private int maxValues = 100;

    public String getMeterNamePrefix() {
      return meterNamePrefix;
    }

    public void setMeterNamePrefix(String meterNamePrefix) {
      this.meterNamePrefix = meterNamePrefix;
    }

    public String getTagKey() {
      return tagKey;
    }

    public void setTagKey(String tagKey) {
      this.tagKey = tagKey;
    }

    public int getMaxValues() {
      return maxValues;
    }

    public void setMaxValues(int maxValues) {
      this.maxValues = maxValues;
    }
  }

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public int getMaxTagValues() {
    return maxTagValues;
  }

  public void setMaxTagValues(int maxTagValues) {
    this.maxTagValues = maxTagValues;
  }

  public List<TagValuesCap> getOverrides() {
    return overrides;
  }

  public void setOverrides(List<TagValuesCap> overrides) {
    this.overrides = overrides;
  }

  public int getMaxSeries() {
    return maxSeries;
  }

  public void setMaxSeries(int maxSeries) {
    this.maxSeries = maxSeries;
  }

  public String getOverflowTagValue() {
    return overflowTagValue;
  }

  public void setOverflowTagValue(String overflowTagValue) {
    this.overflowTagValue = overflowTagValue;
  }

  public @Nullable Duration getExpireIdleAfter() {
    return expireIdleAfter;
  }

  public void setExpireIdleAfter(@Nullable Duration expireIdleAfter) {
    this.expireIdleAfter = expireIdleAfter;
  }

  public List<String> getExpireIdleMetersNamed() {
    return expireIdleMetersNamed;
  }

  public void setExpireIdleMetersNamed(List<String> expireIdleMetersNamed) {
    this.expireIdleMetersNamed = expireIdleMetersNamed;
  }

  public List<String> getExpireIdleMetersTagged() {
    return expireIdleMetersTagged;
  }

  public void setExpireIdleMetersTagged(List<String> expireIdleMetersTagged) {
    this.expireIdleMetersTagged = expireIdleMetersTagged;
  }
}
