package dev.oomguard.benchmarks.replay;

import dev.oomguard.metrics.CardinalityGuard;
import dev.oomguard.metrics.memory.MemorySizing;
import dev.oomguard.testsupport.LocalRedis;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The incident replay: each incident reproduced in forked JVMs with small limits, first with the
 * code the incident's team wrote ({@code without}), then with oomguard ({@code with}). Prints a
 * table of what happened, writes it as {@code replay.md} and {@code replay.csv} beside the jar (or
 * under {@code --out DIR}), and exits with 1 if a guarded run failed to hold. The unguarded runs
 * are expected to fail (die of OOM, leak); that is reported, not an error.
 *
 * <pre>{@code
 * java -cp benchmarks/target/benchmarks.jar dev.oomguard.benchmarks.replay.IncidentReplay [--quick] [--out DIR]
 * }</pre>
 *
 * <p>{@code --quick} runs smaller loads (about a minute in all on 2 cores, for the build's test);
 * the full replay takes a few minutes. Incident 3's guarded run spills to a real {@code
 * redis-server} (see {@link LocalRedis}) when one can be started, else it uses a bounded pool whose
 * producer blocks, and says which. Linux only (RSS comes from {@code /proc/self/status}).
 */
public final class IncidentReplay {
  static final int EXIT_FAILED_TO_HOLD = 1;
  static final int EXIT_USAGE = 2;

  private static final Duration FORK_TIMEOUT = Duration.ofMinutes(3);
  private static final long KIB_PER_MIB = 1024;

  /** Incident 1: RSS growth (KiB) the codec's loop must stay under; a leaking loop is far above. */
  static final long GZIP_RSS_BOUND_KB = 64 * KIB_PER_MIB;

  private static final List<String> GZIP_JVM =
      List.of(
          "-Xms256m",
          "-Xmx256m",
          "-Xmn192m",
          "-XX:+UseParallelGC",
          "-XX:-UseAdaptiveSizePolicy",
          "-XX:+AlwaysPreTouch",
          "-XX:TieredStopAtLevel=1");
  private static final List<String> SMALL_HEAP = List.of("-Xmx64m", "-XX:+UseSerialGC");

  /** Incident 2's raised flags, on its 1 GB machine. */
  private static final List<String> INCIDENT_2_RAISED =
      List.of(
          "-Xmx256m",
          "-XX:MaxMetaspaceSize=256m",
          "-XX:MaxDirectMemorySize=256m",
          "-D" + MemorySizing.LIMIT_PROPERTY + "=1g");

  private static final List<String> INCIDENT_2_SMALL =
      List.of("-Xmx64m", "-XX:+UseSerialGC", "-D" + MemorySizing.LIMIT_PROPERTY + "=1g");
  private static final List<String> TAGS_JVM = List.of("-Xmx512m", "-XX:+UseSerialGC");

  private final boolean quick;

  private IncidentReplay(boolean quick) {
    this.quick = quick;
  }

  public static void main(String[] args) throws IOException {
    boolean quick = false;
    Path out = defaultOutput();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> quick = true;
        case "--out" -> {
          if (i + 1 == args.length) {
            usage("--out needs a directory");
          }
          out = Path.of(args[++i]);
        }
        default -> usage("unknown argument " + args[i]);
      }
    }
    List<Row> rows = new IncidentReplay(quick).run();
    String markdown = Row.markdown(rows);
    Files.createDirectories(out);
    Files.writeString(out.resolve("replay.md"), markdown, StandardCharsets.UTF_8);
    Files.writeString(out.resolve("replay.csv"), Row.csv(rows), StandardCharsets.UTF_8);
    System.out.println();
    System.out.print(Row.text(rows));
    System.out.println("Written: " + out.resolve("replay.md") + ", " + out.resolve("replay.csv"));
    List<Row> failed = rows.stream().filter(Row::failedToHold).toList();
    if (!failed.isEmpty()) {
      System.out.println(
          failed.size()
              + " guarded run(s) FAILED TO HOLD: incident(s) "
              + failed.stream().map(row -> String.valueOf(row.incident())).distinct().toList());
      System.exit(EXIT_FAILED_TO_HOLD);
    }
    System.out.println("Every guarded run held.");
  }

  private static void usage(String problem) {
    System.err.println(
        problem
            + "\nusage: java -cp benchmarks.jar "
            + IncidentReplay.class.getName()
            + " [--quick] [--out DIR]");
    System.exit(EXIT_USAGE);
  }

  /** Beside the jar when run from one (benchmarks/target/), else target/. */
  private static Path defaultOutput() {
    Path classPath = Path.of(System.getProperty("java.class.path"));
    Path parent = classPath.toAbsolutePath().getParent();
    return classPath.toString().endsWith(".jar") && parent != null ? parent : Path.of("target");
  }

  private List<Row> run() {
    List<Row> rows = new ArrayList<>();
    rows.addAll(incident1());
    rows.addAll(incident2());
    rows.addAll(incident3());
    rows.addAll(incident4());
    return rows;
  }

  /** Incident 1: GZIPOutputStream finished but never closed, against GzipCodec's stream. */
  private List<Row> incident1() {
    int ops = quick ? 2_000 : 5_000;
    String n = String.format(Locale.ROOT, "%,d", ops);
    Fork without = fork(1, "without", GZIP_JVM, GzipWorkload.class, "without", String.valueOf(ops));
    Fork with = fork(1, "with", GZIP_JVM, GzipWorkload.class, "with", String.valueOf(ops));
    Row withoutRow;
    if (without.ok()) {
      long growth = without.get("rssGrowthKb");
      withoutRow =
          new Row(
              1,
              "without",
              n + " × new GZIPOutputStream, finish(), error, no close()",
              "RSS +"
                  + mib(growth)
                  + "; "
                  + n
                  + " Deflaters never ended ("
                  + without.get("gcsDuringRun")
                  + " GCs in the loop, so no Cleaner ran)",
              growth > GZIP_RSS_BOUND_KB);
    } else {
      withoutRow =
          new Row(
              1,
              "without",
              n + " × new GZIPOutputStream, finish(), error, no close()",
              without.ending(),
              true);
    }
    Row withRow;
    String code = n + " × GzipCodec.compressingStream, finish(), error, no close()";
    if (with.ok()) {
      long growth = with.get("rssGrowthKb");
      long inUse = with.get("handlesInUse");
      withRow =
          new Row(
              1,
              "with",
              code,
              "RSS +"
                  + mib(growth)
                  + " (bound "
                  + mib(GZIP_RSS_BOUND_KB)
                  + "); "
                  + with.get("handlesCreated")
                  + " Deflater(s) created, "
                  + inUse
                  + " in use after the loop ("
                  + with.get("gcsDuringRun")
                  + " GCs in the loop)",
              growth < GZIP_RSS_BOUND_KB && inUse == 0);
    } else {
      withRow = new Row(1, "with", code, with.ending(), false);
    }
    return List.of(withoutRow, withRow);
  }

  /**
   * Incident 2: 20 concurrent image loads in -Xmx64m, without and with a MemoryBudget; and
   * MemorySizing.
   */
  private List<Row> incident2() {
    int rounds = quick ? 2 : 5;
    String requests =
        rounds
            + " × "
            + ImageWorkload.CONCURRENT
            + " concurrent "
            + ImageWorkload.IMAGE_MIB
            + " MiB image loads, -Xmx64m";
    Fork without =
        fork(2, "without", SMALL_HEAP, ImageWorkload.class, "without", String.valueOf(rounds));
    Fork with = fork(2, "with", SMALL_HEAP, ImageWorkload.class, "with", String.valueOf(rounds));
    Fork raised = fork(2, "sizing -Xmx256m", INCIDENT_2_RAISED, MemorySizing.class);
    Fork small = fork(2, "sizing -Xmx64m", INCIDENT_2_SMALL, MemorySizing.class);
    String raisedVerdict = verdict(raised);
    String smallVerdict = verdict(small);

    String withoutOutcome;
    boolean withoutFailed;
    if (without.ok() || without.has("failed")) {
      long failed = without.get("failed");
      withoutOutcome =
          without.get("served")
              + " of "
              + without.get("requests")
              + " served, "
              + failed
              + " OutOfMemoryError: Java heap space, in "
              + seconds(without.get("millis"))
              + "; MemorySizing for the raise to -Xmx256m on 1 GB: "
              + raisedVerdict;
      withoutFailed = failed > 0;
    } else {
      withoutOutcome =
          without.ending() + "; MemorySizing for the raise to -Xmx256m on 1 GB: " + raisedVerdict;
      withoutFailed = true;
    }
    Row withRow;
    String code = requests + ", MemoryBudget.ofBytes(" + ImageWorkload.BUDGET_MIB + " MiB)";
    if (with.ok()) {
      long served = with.get("served");
      long total = with.get("requests");
      withRow =
          new Row(
              2,
              "with",
              code,
              served
                  + " of "
                  + total
                  + " served, "
                  + with.get("failed")
                  + " failed, in "
                  + seconds(with.get("millis"))
                  + "; MemorySizing for -Xmx64m on 1 GB: "
                  + smallVerdict,
              served == total && with.get("failed") == 0 && smallVerdict.equals("fits"));
    } else {
      withRow = new Row(2, "with", code, with.ending(), false);
    }
    return List.of(new Row(2, "without", requests, withoutOutcome, withoutFailed), withRow);
  }

  /**
   * Incident 3: an event flood into newFixedThreadPool against EventProcessor (or
   * BoundedExecutors).
   */
  private List<Row> incident3() {
    int events = quick ? 150_000 : 500_000;
    String flood =
        String.format(Locale.ROOT, "%,d events of 1 KiB, 2 handler threads, -Xmx64m", events);
    List<String> dieOnOom = new ArrayList<>(SMALL_HEAP);
    dieOnOom.add("-XX:+ExitOnOutOfMemoryError");
    Fork without =
        fork(3, "without", dieOnOom, FloodWorkload.class, "without", String.valueOf(events));
    Row withoutRow =
        new Row(
            3,
            "without",
            "Executors.newFixedThreadPool(2): " + flood,
            without.ending()
                + (without.has("progress") && !without.ok()
                    ? String.format(
                        Locale.ROOT, ", with about %,d events submitted", without.get("progress"))
                    : ""),
            !without.ok());

    Fork with;
    String code;
    LocalRedis redis = startRedis();
    try {
      if (redis != null) {
        code =
            "EventProcessor, queue "
                + FloodWorkload.QUEUE_CAPACITY
                + ", spill to redis-server: "
                + flood;
        with =
            fork(
                3,
                "with",
                SMALL_HEAP,
                FloodWorkload.class,
                "redis",
                String.valueOf(events),
                redis.uri());
      } else {
        code =
            "BoundedExecutors, queue "
                + FloodWorkload.QUEUE_CAPACITY
                + ", OverflowPolicy.block (no redis-server could be started): "
                + flood;
        with = fork(3, "with", SMALL_HEAP, FloodWorkload.class, "bounded", String.valueOf(events));
      }
    } finally {
      if (redis != null) {
        redis.close();
      }
    }
    Row withRow;
    if (with.ok()) {
      long submitted = with.get("submitted");
      long handled = with.get("handled");
      long left = with.get("leftInRedis");
      long rejected = with.get("rejected");
      long expired = with.get("expired");
      long oldGen = with.get("peakOldGenKb");
      boolean added = handled + left + rejected + expired == submitted;
      withRow =
          new Row(
              3,
              "with",
              code,
              String.format(
                  Locale.ROOT,
                  "finished in %s; submitted %,d = handled %,d + left in Redis %,d + rejected %,d + expired %,d%s"
                      + " (%,d spilled and replayed); old generation peak %s, garbage included, of the 64 MiB heap",
                  seconds(with.get("millis")),
                  submitted,
                  handled,
                  left,
                  rejected,
                  expired,
                  added ? "" : " DOES NOT ADD UP",
                  with.get("spilled"),
                  mib(oldGen)),
              added);
    } else {
      withRow = new Row(3, "with", code, with.ending(), false);
    }
    return List.of(withoutRow, withRow);
  }

  /**
   * Incident 4: 8,000 uris on a histogram timer, scraped by Prometheus, without and with
   * CardinalityGuard.
   */
  private List<Row> incident4() {
    int uris = 8_000;
    String code =
        String.format(
            Locale.ROOT,
            "%,d uri values on a Timer with publishPercentileHistogram(), scraped",
            uris);
    Fork without = fork(4, "without", TAGS_JVM, TagWorkload.class, "without", String.valueOf(uris));
    Fork with = fork(4, "with", TAGS_JVM, TagWorkload.class, "with", String.valueOf(uris));
    Row withoutRow =
        without.ok()
            ? new Row(
                4,
                "without",
                "PrometheusMeterRegistry: " + code,
                tagOutcome(without),
                without.get("series") > CardinalityGuard.DEFAULT_MAX_SERIES)
            : new Row(4, "without", "PrometheusMeterRegistry: " + code, without.ending(), true);
    Row withRow =
        with.ok()
            ? new Row(
                4,
                "with",
                "the same, CardinalityGuard.builder().build() bound: " + code,
                tagOutcome(with),
                with.get("series") <= CardinalityGuard.DEFAULT_MAX_SERIES
                    && with.get("requestsCounted") == uris)
            : new Row(
                4,
                "with",
                "the same, CardinalityGuard.builder().build() bound: " + code,
                with.ending(),
                false);
    return List.of(withoutRow, withRow);
  }

  private static String tagOutcome(Fork fork) {
    return String.format(
        Locale.ROOT,
        "%,d series, %s scrape, requests counted %,d of %,d",
        fork.get("series"),
        mib(fork.get("scrapeBytes") / 1024),
        fork.get("requestsCounted"),
        fork.get("uris"));
  }

  private static Fork fork(
      int incident, String run, List<String> options, Class<?> workload, String... args) {
    System.out.printf(
        Locale.ROOT,
        "incident %d, %s: %s %s%n",
        incident,
        run,
        workload.getSimpleName(),
        String.join(" ", args));
    Fork fork = Fork.run(FORK_TIMEOUT, options, workload.getName(), args);
    System.out.printf(Locale.ROOT, "  %s in %s%n", fork.ending(), seconds(fork.millis()));
    return fork;
  }

  /** MemorySizing's verdict, from the first line of its report: fits, tight or does not fit. */
  private static String verdict(Fork sizing) {
    String first = sizing.output().lines().findFirst().orElse("");
    return first.startsWith("memory sizing: ")
        ? first.substring("memory sizing: ".length()).trim()
        : "unknown (" + sizing.ending() + ")";
  }

  private static @Nullable LocalRedis startRedis() {
    try {
      return LocalRedis.start();
    } catch (IOException | RuntimeException e) {
      System.out.println("  no redis-server: " + e.getMessage());
      return null;
    }
  }

  private static String mib(long kib) {
    return String.format(Locale.ROOT, "%.1f MiB", kib / 1024.0);
  }

  private static String seconds(long millis) {
    return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
  }
}
