package dev.oomguard.review;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The command line: {@code java -jar oomguard-review-<version>-cli.jar [--sarif FILE] <jar, war,
 * class file or classes directory>...}.
 *
 * <p>Prints one line per finding and a summary. Exit status: 0 when nothing was found, 1 when
 * something was, 2 when the arguments or an input were unusable (the message says which).
 */
public final class Main {
  static final int FOUND_NOTHING = 0;
  static final int FOUND = 1;
  static final int UNUSABLE = 2;

  private static final String USAGE =
      "usage: java -jar oomguard-review-cli.jar [--sarif FILE] <jar, war, class file or classes"
          + " directory>...";

  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the command line; returns the exit status instead of exiting. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    List<Path> inputs = new ArrayList<>();
    @Nullable Path sarif = null;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--help") || arg.equals("-h")) {
        out.println(USAGE);
        return FOUND_NOTHING;
      } else if (arg.equals("--sarif")) {
        if (i + 1 == args.length) {
          err.println("--sarif needs a file name");
          err.println(USAGE);
          return UNUSABLE;
        }
        sarif = Path.of(args[++i]);
      } else if (arg.startsWith("--")) {
        err.println("unknown option: " + arg);
        err.println(USAGE);
        return UNUSABLE;
      } else {
        inputs.add(Path.of(arg));
      }
    }
    if (inputs.isEmpty()) {
      err.println("nothing to scan");
      err.println(USAGE);
      return UNUSABLE;
    }
    ReviewScanner.Result result;
    try {
      result = ReviewScanner.allRules().scan(inputs);
    } catch (IllegalArgumentException | UncheckedIOException e) {
      err.println("oomguard-review: " + e.getMessage());
      return UNUSABLE;
    }
    for (Finding finding : result.findings()) {
      out.println(finding);
    }
    for (String method : result.skipped()) {
      err.println("oomguard-review: skipped a method the analysis cannot follow: " + method);
    }
    out.println(summary(result));
    if (sarif != null) {
      try (Writer writer = Files.newBufferedWriter(sarif, StandardCharsets.UTF_8)) {
        Sarif.write(result.findings(), version(), writer);
      } catch (IOException e) {
        err.println("oomguard-review: cannot write " + sarif + ": " + e.getMessage());
        return UNUSABLE;
      }
    }
    return result.findings().isEmpty() ? FOUND_NOTHING : FOUND;
  }

  private static String summary(ReviewScanner.Result result) {
    Map<Rule, Integer> byRule = new EnumMap<>(Rule.class);
    for (Finding f : result.findings()) {
      byRule.merge(f.rule(), 1, Integer::sum);
    }
    StringBuilder line =
        new StringBuilder()
            .append(result.findings().size())
            .append(result.findings().size() == 1 ? " finding" : " findings")
            .append(" in ")
            .append(result.classes())
            .append(" classes");
    for (Rule rule : Rule.values()) {
      line.append(", ").append(rule.id()).append(": ").append(byRule.getOrDefault(rule, 0));
    }
    return line.toString();
  }

  static String version() {
    String version = Main.class.getPackage().getImplementationVersion();
    return version == null ? "unknown" : version;
  }
}
