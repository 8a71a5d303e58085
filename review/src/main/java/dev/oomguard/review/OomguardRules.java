package dev.oomguard.review;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.Source;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.CompositeArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.lang.syntax.ArchRuleDefinition;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The rules for ArchUnit tests. Each one reads the bytecode of the classes ArchUnit imported and
 * reports a violation per finding, with its location (as a stack trace prints it, so that IDEs link
 * it), the incident it repeats and the oomguard replacement:
 *
 * <pre>{@code
 * @AnalyzeClasses(packages = "com.example")
 * class MemoryReviewTest {
 *   @ArchTest
 *   static final ArchRule oomguard = OomguardRules.ALL;
 * }
 * }</pre>
 *
 * On a large codebase, wrap a rule in {@code FreezingArchRule.freeze(..)}: the violations found on
 * the first run are stored and only new ones fail. The descriptions keep the line number in the
 * {@code (File.java:12)} form that ArchUnit's default line matcher ignores, so that moving code
 * does not unfreeze it.
 */
public final class OomguardRules {
  /** {@link Rule#UNBOUNDED_EXECUTOR}. */
  public static final ArchRule UNBOUNDED_EXECUTORS = rule(Rule.UNBOUNDED_EXECUTOR);

  /** {@link Rule#NATIVE_HANDLE_NOT_ENDED}. */
  public static final ArchRule NATIVE_HANDLES_NOT_ENDED = rule(Rule.NATIVE_HANDLE_NOT_ENDED);

  /** {@link Rule#HISTOGRAM_TAG_FROM_DATA}. */
  public static final ArchRule HISTOGRAM_TAGS_FROM_DATA = rule(Rule.HISTOGRAM_TAG_FROM_DATA);

  /** Every rule above. */
  public static final ArchRule ALL =
      CompositeArchRule.of(UNBOUNDED_EXECUTORS)
          .and(NATIVE_HANDLES_NOT_ENDED)
          .and(HISTOGRAM_TAGS_FROM_DATA);

  private OomguardRules() {}

  /** The ArchUnit rule for one scanner rule. */
  public static ArchRule rule(Rule rule) {
    return ArchRuleDefinition.classes()
        .should(new Avoids(rule))
        .because("it repeats " + rule.incident() + "; fix: " + rule.fix());
  }

  /** Violated by the classes where the scanner finds the rule; one event per finding. */
  private static final class Avoids extends ArchCondition<JavaClass> {
    private final ReviewScanner scanner;

    Avoids(Rule rule) {
      super(
          "not contain "
              + Character.toLowerCase(rule.title().charAt(0))
              + rule.title().substring(1)
              + " ["
              + rule.id()
              + "]");
      this.scanner = ReviewScanner.of(List.of(rule));
    }

    @Override
    public void check(JavaClass javaClass, ConditionEvents events) {
      for (Finding finding : scanner.scanClass(bytecode(javaClass))) {
        events.add(SimpleConditionEvent.violated(javaClass, finding.toString()));
      }
    }

    private static byte[] bytecode(JavaClass javaClass) {
      Source source =
          javaClass
              .getSource()
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          "ArchUnit has no class file for "
                              + javaClass.getName()
                              + "; import classes from the classpath or a location"));
      try (InputStream in = source.getUri().toURL().openStream()) {
        return in.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + source.getUri(), e);
      }
    }
  }
}
