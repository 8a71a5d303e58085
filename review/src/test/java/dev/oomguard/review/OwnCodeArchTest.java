package dev.oomguard.review;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The rules as a user writes them, run by ArchUnit's JUnit 6 engine beside Jupiter: this module's
 * own code must pass them.
 */
@AnalyzeClasses(
    packages = "dev.oomguard.review",
    importOptions = ImportOption.DoNotIncludeTests.class)
class OwnCodeArchTest {
  @ArchTest static final ArchRule oomguard = OomguardRules.ALL;
}
