/**
 * Finds the incidents' anti-patterns in built code: {@link dev.oomguard.review.OomguardRules} for
 * ArchUnit tests, {@link dev.oomguard.review.Main} for the command line, both over {@link
 * dev.oomguard.review.ReviewScanner}.
 */
@NullMarked
package dev.oomguard.review;

import org.jspecify.annotations.NullMarked;
