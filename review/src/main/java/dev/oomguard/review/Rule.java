package dev.oomguard.review;

/**
 * What the scanner looks for: one rule per incident whose code can be recognised in bytecode.
 * Incident 2 (heap raised without counting the rest of the process) lives in deployment flags, not
 * in code; {@code MemorySizing} in oomguard-metrics checks it at start-up.
 */
public enum Rule {
  /** An executor whose queue, or whose number of threads, has no bound. */
  UNBOUNDED_EXECUTOR(
      "oomguard-unbounded-executor",
      "An executor whose queue has no bound",
      "incident 3: an unbounded executor queue held over 90% of the heap and the server died every"
          + " few hours",
      "BoundedExecutors.newFixedThreadPool(name, threads, queueCapacity) from oomguard-executors,"
          + " or a ThreadPoolExecutor over an ArrayBlockingQueue with an explicit overflow policy",
      "an-executor-whose-queue-has-no-bound"),
  /** A Deflater, Inflater or zlib stream that some path leaves without end() or close(). */
  NATIVE_HANDLE_NOT_ENDED(
      "oomguard-native-handle-not-ended",
      "A Deflater, Inflater or GZIP stream that is not closed on every path",
      "incident 1: each un-ended Deflater keeps about 256 KiB of zlib state in C heap; pods grew"
          + " until the OOM killer restarted them while the heap looked healthy",
      "try-with-resources (or end()/close() in a finally), or GzipCodec.compress/decompress from"
          + " oomguard-compression",
      "a-deflater-inflater-or-gzip-stream-that-is-not-closed-on-every-path"),
  /** A meter with a percentile histogram or SLOs whose tag value comes from data. */
  HISTOGRAM_TAG_FROM_DATA(
      "oomguard-histogram-tag-from-data",
      "A tag whose values come from data",
      "incident 4: a percentile histogram exports 72 series per tag value and the registry never"
          + " forgets a meter; 8,000 values gave 576,000 series and a heap that grew for days",
      "tag with a bounded value (the route template, not the raw path) and bind"
          + " CardinalityGuard.builder().build() from oomguard-metrics to the registry",
      "a-tag-whose-values-come-from-data");

  private final String id;
  private final String title;
  private final String incident;
  private final String fix;
  private final String guideAnchor;

  Rule(String id, String title, String incident, String fix, String guideAnchor) {
    this.id = id;
    this.title = title;
    this.incident = incident;
    this.fix = fix;
    this.guideAnchor = guideAnchor;
  }

  /** The stable id, as in SARIF's {@code ruleId}. */
  public String id() {
    return id;
  }

  /** The anti-pattern, as the README's code-review guide names it. */
  public String title() {
    return title;
  }

  /** The incident this code repeats and what it cost. */
  public String incident() {
    return incident;
  }

  /** The replacement. */
  public String fix() {
    return fix;
  }

  /** The README anchor of this rule's code-review guide entry. */
  public String guideAnchor() {
    return guideAnchor;
  }
}
